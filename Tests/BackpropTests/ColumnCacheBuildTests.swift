import FoundationEssentials
import XCTest

@testable import Backprop

/// Writing the column cache a chunk at a time: whatever the chunk size, the cache holds exactly
/// what reading the whole CSV in memory gives (the same numbers to the bit, the same labels in
/// the same order, the same row ids), and a bad record in a late chunk is named by its line.
final class ColumnCacheBuildTests: XCTestCase {
    /// The ingest stage of a one-stage pipeline reading `data.csv` in `folder` with `settings`.
    private func ingest(_ settings: String, in folder: URL) throws -> IngestStage {
        let json = #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "y"\#(settings)}]}"#
        let file = write(json, to: "pipeline.json", in: folder)
        return try XCTUnwrap(try Pipeline(contentsOf: file).stages.first as? IngestStage)
    }

    /// Builds the cache with `chunkBytes` per chunk and reads it back as a dataset.
    private func cached(_ stage: IngestStage, chunkBytes: Int, in folder: URL, lines: LineSink = LineSink()) throws -> Dataset {
        let url = folder.appendingPathComponent("data.csv.bpcache")
        var context = PipelineContext(log: lines.append)
        let csv = try CSVFile(path: folder.appendingPathComponent("data.csv").path, name: "data.csv")
        try stage.buildCache(url, fingerprint: try CSVFingerprint(of: csv), &context, chunkBytes: chunkBytes)
        let cache = try XCTUnwrap(try ColumnCache.open(path: url.path, name: "cache"))
        try cache.verify()
        let header = cache.header
        return Dataset(source: "data.csv", features: try header.features.map { Column(name: $0.name, values: try cache.values($0)) },
                       target: Column(name: header.target.name, values: try cache.values(header.target)), rowIDs: try cache.rowIDs())
    }

    /// What ingest leaves in memory without a cache.
    private func inMemory(_ stage: IngestStage, lines: LineSink = LineSink()) throws -> Dataset {
        var context = PipelineContext(log: lines.append)
        try stage.readCSV(&context)
        return try XCTUnwrap(context.data)
    }

    private func assertIdentical(_ a: ColumnValues, _ b: ColumnValues, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case (.numeric(let x), .numeric(let y)):
            XCTAssertEqual(x.map(\.bitPattern), y.map(\.bitPattern), "\(what): numbers", file: file, line: line)
        case (.categorical(let x), .categorical(let y)):
            XCTAssertEqual(x.labels, y.labels, "\(what): labels", file: file, line: line)
            XCTAssertEqual(x.codes, y.codes, "\(what): codes", file: file, line: line)
        default: XCTFail("\(what): one is numeric, the other categorical", file: file, line: line)
        }
    }

    /// Builds with several chunk sizes (one record per chunk up to the whole file) and compares.
    private func assertCacheEqualsMemory(_ csv: String, settings: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        let stage = try ingest(settings, in: folder)
        let expected = try inMemory(stage)
        for chunkBytes in [1, 7, 64, 1_000, 1 << 24] {
            let got = try cached(stage, chunkBytes: chunkBytes, in: folder)
            XCTAssertEqual(got.featureNames, expected.featureNames, "chunks of \(chunkBytes) bytes", file: file, line: line)
            XCTAssertEqual(got.rowIDs, expected.rowIDs, "chunks of \(chunkBytes) bytes: row ids", file: file, line: line)
            assertIdentical(got.target.values, expected.target.values, "chunks of \(chunkBytes) bytes: target", file: file, line: line)
            for (a, b) in zip(got.features, expected.features) {
                assertIdentical(a.values, b.values, "chunks of \(chunkBytes) bytes: column '\(a.name)'", file: file, line: line)
            }
        }
    }

    /// Rows whose labels first appear late, some values missing (as `NA` or empty).
    private func mixedRows(_ count: Int, quoted: Bool = false) -> String {
        var text = "y,x,color,z\n"
        for row in 0..<count {
            let color = row < 40 ? ["red", "green"][row % 2] : ["red", "green", "blue", "teal"][row % 4]
            let x = row % 13 == 4 ? "NA" : String(Double(row) * 0.37 - 5)
            let z = row % 17 == 3 ? "" : "\(row % 7).125e\(row % 5 - 2)"
            let label = quoted && row % 9 == 1 ? "\"\(color),\nnew\"" : color
            text += "\(row % 3 == 0 ? 1 : 0),\(x),\(label),\(z)\n"
        }
        return text
    }

    func testChunksGiveTheColumnsOfTheWholeFile() throws {
        try assertCacheEqualsMemory(mixedRows(200).replacingOccurrences(of: "NA", with: "1.5"), settings: #", "missing": "drop""#)
    }

    func testRowsDroppedForAMissingValueKeepTheirRowIDs() throws {
        try assertCacheEqualsMemory(mixedRows(200), settings: #", "missing": "drop""#)
    }

    func testKeptMissingValuesAndRowsWithoutATarget() throws {
        // Missing labels become the empty label; rows without a target are left out (and said so).
        var csv = mixedRows(150)
        csv += "NA,1,red,2\n,3,NA,4\n1,5,?,6\n"
        try assertCacheEqualsMemory(csv, settings: #", "missing": "keep""#)
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        let lines = LineSink()
        _ = try cached(try ingest(#", "missing": "keep""#, in: folder), chunkBytes: 100, in: folder, lines: lines)
        XCTAssertTrue(lines.lines.contains { $0.hasPrefix("Note: 2 rows of ") && $0.hasSuffix("data.csv have no value for the target 'y': left out") }, "\(lines.lines)")
    }

    func testATextTarget() throws {
        let csv = mixedRows(120).split(separator: "\n").enumerated().map { index, line in
            index == 0 ? String(line) : (line.hasPrefix("1") ? "yes" : "no") + line.dropFirst()
        }.joined(separator: "\n") + "\n"
        try assertCacheEqualsMemory(csv, settings: #", "missing": "drop", "categorical": ["y"]"#)
    }

    func testQuotedFieldsWithLineFeedsAndDelimiters() throws {
        try assertCacheEqualsMemory(mixedRows(200, quoted: true), settings: #", "missing": "drop""#)
    }

    func testAFileWithoutAFinalLineFeed() throws {
        var csv = mixedRows(60).replacingOccurrences(of: "NA", with: "2")
        csv.removeLast()
        try assertCacheEqualsMemory(csv, settings: #", "missing": "drop""#)
    }

    /// The error of building the cache from `csv`, in chunks of `chunkBytes`.
    private func buildError(_ csv: String, settings: String = #", "missing": "drop", "categorical": ["color"]"#, chunkBytes: Int) throws -> BackpropError {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        do {
            _ = try cached(try ingest(settings, in: folder), chunkBytes: chunkBytes, in: folder)
        } catch let error as BackpropError {
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("data.csv.bpcache").path), "no cache left")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
            XCTAssertEqual(leftovers, [], "no temporary file left")
            return error
        }
        XCTFail("building the cache succeeded but should have failed")
        return BackpropError(.data, "")
    }

    func testABadRecordInALateChunkNamesItsLine() throws {
        var lines = mixedRows(300).split(separator: "\n").map(String.init)
        lines[251] = "1,2,red"
        let ragged = lines.joined(separator: "\n") + "\n"
        for chunkBytes in [50, 4_096] {
            let error = try buildError(ragged, chunkBytes: chunkBytes)
            XCTAssertTrue(error.message.hasSuffix("data.csv: line 252: expected 4 fields, got 3"), "chunks of \(chunkBytes): \(error.message)")
        }
        lines = mixedRows(300, quoted: true).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[280] = "1,x2,red,4"
        let error = try buildError(lines.joined(separator: "\n"), chunkBytes: 50)
        XCTAssertTrue(error.message.contains("column 'x': expected a number, got \"x2\""), error.message)
        XCTAssertTrue(error.message.contains("data.csv: line 281,"), error.message)
    }

    func testAnUnterminatedQuoteAtTheEnd() throws {
        let error = try buildError(mixedRows(100, quoted: true) + "1,2,\"red\n", chunkBytes: 64)
        XCTAssertTrue(error.message.contains("unterminated quoted field at end of file"), error.message)
    }

    func testNoDataRowsAndEveryRowMissing() throws {
        XCTAssertTrue(try buildError("y,x\n", settings: "", chunkBytes: 8).message.hasSuffix("data.csv: no data rows after the header"))
        XCTAssertTrue(try buildError("y,x\n1,\n0,NA\n", settings: #", "missing": "drop""#, chunkBytes: 4).message.hasSuffix("data.csv: every row has a missing value"))
    }
}
