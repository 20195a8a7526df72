@testable import Backprop
import Foundation
import XCTest

/// Sharded ingest: with 1 to 4 processes (threads of a fake job), every process reads its own
/// share of the file, the shares put together in rank order are the single-process dataset (row
/// ids global), a bad line on any process stops all of them with one message naming the global
/// line, and categorical columns get the same labels everywhere.
final class ShardedIngestTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
    }

    /// Columns `x` (number), `c` (label), `y` (number); `count` rows, some with `x` missing.
    private func rows(_ count: Int, bad: (row: Int, text: String)? = nil, missingEvery: Int = 0) -> String {
        var text = "x,c,y\n"
        for row in 0..<count {
            var x = String(Double(row) * 0.25 - 3)
            if missingEvery > 0, row % missingEvery == 3 { x = "NA" }
            if row == bad?.row { x = bad!.text }
            text += "\(x),\(["red", "green", "blue"][row % 3 == 0 ? row % 2 : 2]),\(row % 2)\n"
        }
        return text
    }

    /// Reads `csv` on `ranks` processes; each rank's columns, or its error.
    private func readShards(_ csv: String, ranks: Int, missing: CSVColumnPlan.MissingRows = .error,
                            threads: Int = 1, options: CSVOptions = CSVOptions()) -> [Result<CSVColumns, any Error>] {
        let url = write(csv, to: "data-\(ranks).csv", in: folder)
        return ThreadedProcessGroup.run(ranks: ranks) { group in
            let file = try CSVFile(path: url.path, name: "data.csv")
            let head = try ColumnarCSVReader.head(of: file, options: options)
            var plan = CSVColumnPlan(header: head.header, missingRows: missing)
            for (index, name) in head.header.enumerated() { plan.roles[index] = name == "c" || name == "column2" ? .label : .number }
            return try ShardedIngest.read(file, head: head, plan: plan, options: options, threads: threads, group: group)
        }
    }

    private func readWhole(_ csv: String, missing: CSVColumnPlan.MissingRows = .error, options: CSVOptions = CSVOptions()) throws -> CSVColumns {
        let url = write(csv, to: "whole.csv", in: folder)
        let file = try CSVFile(path: url.path, name: "data.csv")
        let head = try ColumnarCSVReader.head(of: file, options: options)
        var plan = CSVColumnPlan(header: head.header, missingRows: missing)
        for (index, name) in head.header.enumerated() { plan.roles[index] = name == "c" || name == "column2" ? .label : .number }
        return try ColumnarCSVReader.read(file, head: head, plan: plan, options: options, threads: 1)
    }

    private func numbers(_ columns: CSVColumns, _ index: Int) -> [Double] {
        guard case .numeric(let values)? = columns.columns[index] else { return [] }
        return values
    }

    private func labels(_ columns: CSVColumns, _ index: Int) -> [String] {
        guard case .categorical(let values)? = columns.columns[index] else { return [] }
        return Array(values)
    }

    /// The shards in rank order equal the whole file read by one process.
    private func assertShardsMakeTheWhole(_ csv: String, missing: CSVColumnPlan.MissingRows = .error, options: CSVOptions = CSVOptions(),
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try readWhole(csv, missing: missing, options: options)
        for ranks in 1...4 {
            let shards = try readShards(csv, ranks: ranks, missing: missing, options: options).map { try $0.get() }
            XCTAssertEqual(shards.flatMap(\.rowIDs), whole.rowIDs, "\(ranks) ranks: row ids", file: file, line: line)
            XCTAssertEqual(shards.flatMap { numbers($0, 0) }, numbers(whole, 0), "\(ranks) ranks: x", file: file, line: line)
            XCTAssertEqual(shards.flatMap { labels($0, 1) }, labels(whole, 1), "\(ranks) ranks: c", file: file, line: line)
            XCTAssertEqual(shards.flatMap { numbers($0, 2) }, numbers(whole, 2), "\(ranks) ranks: y", file: file, line: line)
            if ranks > 1 {
                XCTAssertTrue(shards.allSatisfy { $0.rowIDs.count < whole.rowIDs.count }, "\(ranks) ranks: no rank holds every row",
                              file: file, line: line)
            }
        }
    }

    func testShardsInRankOrderAreTheWholeFileWithGlobalRowIDs() throws {
        try assertShardsMakeTheWhole(rows(101))
    }

    func testDroppedRowsAreTheSameGlobalRowsAsInOneProcess() throws {
        let csv = rows(97, missingEvery: 7)
        try assertShardsMakeTheWhole(csv, missing: .drop)
        XCTAssertEqual(try readWhole(csv, missing: .drop).rowIDs.count, 97 - 14)
    }

    /// Windows line ends, a byte-order mark, blank lines and no final line end; and a file
    /// without a header, whose first line is data.
    func testLineEndsByteOrderMarkAndNoHeaderSplitTheSameWay() throws {
        var csv = "\u{FEFF}x,c,y\r\n"
        for row in 0..<45 { csv += "\(row).5,\(["a", "b"][row % 2]),\(row % 2)\r\n" + (row == 20 ? "\r\n" : "") }
        try assertShardsMakeTheWhole(String(csv.dropLast()))  // "\r\n" is one Character
        var options = CSVOptions()
        options.header = false
        let plain = (0..<45).map { "\($0).25,\(["p", "q", "r"][$0 % 3]),\($0 % 2)" }.joined(separator: "\n")
        let whole = try readWhole(plain, options: options)
        XCTAssertEqual(whole.rowIDs.count, 45)
        try assertShardsMakeTheWhole(plain, options: options)
    }

    /// More processes than lines: the ranks past the last line read nothing, and nothing breaks.
    func testMoreProcessesThanRowsLeavesSomeShardsEmpty() throws {
        let shards = try readShards("x,c,y\n1,a,0\n2,b,1\n", ranks: 4).map { try $0.get() }
        XCTAssertEqual(shards.flatMap(\.rowIDs), [0, 1])
        XCTAssertTrue(shards.contains { $0.rowIDs.isEmpty })
    }

    /// A quoted field holding a line end: the byte ranges could cut it, so every rank reads in
    /// record windows instead, and the result is still the whole file.
    func testAQuotedLineEndFallsBackToRecordWindows() throws {
        var csv = "x,c,y\n"
        for row in 0..<60 { csv += "\(row),\(row == 20 ? "\"two\nlines\"" : "\"q\(row % 4)\""),\(row % 2)\n" }
        try assertShardsMakeTheWhole(csv)
    }

    /// In record windows too, a syntax error is reported once, with its line, on every rank.
    func testASyntaxErrorInAQuotedFileNamesItsLineOnEveryRank() {
        var csv = "x,c,y\n"
        for row in 0..<60 { csv += "\(row),\"q\(row % 4)\",\(row % 2)\n" }
        csv += "1,\"bad\" x,0\n" + csv.dropFirst(6)
        var expected: BackpropError?
        XCTAssertThrowsError(try readWhole(csv)) { expected = $0 as? BackpropError }
        XCTAssertTrue(expected?.message.hasPrefix("data.csv: line 62: malformed CSV") ?? false, "\(String(describing: expected))")
        for ranks in 2...4 {
            for result in readShards(csv, ranks: ranks) {
                XCTAssertThrowsError(try result.get()) { XCTAssertEqual($0 as? BackpropError, expected, "\(ranks) ranks") }
            }
        }
    }

    /// A malformed line deep in the last rank's range: every rank stops with the one message,
    /// naming the global line, as one process does.
    func testABadLineOnTheLastRankStopsEveryRankWithItsGlobalLine() throws {
        let csv = rows(200, bad: (row: 180, text: "abc"))
        let expected = "data.csv: line 182, column 'x': expected a number, got \"abc\" (list the column in 'categorical' if it holds labels)"
        XCTAssertThrowsError(try readWhole(csv)) { XCTAssertEqual(($0 as? BackpropError)?.message, expected) }
        for ranks in 2...4 {
            for result in readShards(csv, ranks: ranks, threads: 2) {
                XCTAssertThrowsError(try result.get()) { error in
                    XCTAssertEqual(error as? BackpropError, BackpropError(.data, expected), "\(ranks) ranks")
                }
            }
        }
    }

    /// Two bad lines on different ranks: the first in the file wins, on every rank.
    func testTheFirstBadLineOfTheFileWinsOnEveryRank() throws {
        var csv = rows(200, bad: (row: 150, text: "abc"))
        csv = csv.replacingOccurrences(of: "\n-1.0,", with: "\n-1.0,extra,")  // row 8 gets a fourth field
        for result in readShards(csv, ranks: 3) {
            XCTAssertThrowsError(try result.get()) { error in
                XCTAssertEqual((error as? BackpropError)?.message, "data.csv: line 10: expected 3 fields, got 4")
            }
        }
    }

    func testNoRowsAtAllIsOneErrorEverywhere() {
        for result in readShards("x,c,y\nNA,a,1\n1,b,NA\n", ranks: 3, missing: .drop) {
            XCTAssertThrowsError(try result.get()) { error in
                XCTAssertEqual((error as? BackpropError)?.message, "data.csv: every row has a missing value")
            }
        }
    }

    /// Through the ingest stage: a category seen by one process only gets the same code on
    /// every process, and the labels come in the order one process would have seen them.
    func testCategoriesAreAgreedWhenOnlyOneShardHasOne() throws {
        var csv = "x,c,y\n"
        for row in 0..<40 { csv += "\(row),\(row == 33 ? "rare" : ["b", "a"][row % 2]),\(row % 2)\n" }
        write(csv, to: "cats.csv", in: folder)
        let pipeline = write("""
            {"stages": [{"stage": "ingest", "path": "cats.csv", "target": "y", "categorical": ["c"]}]}
            """, to: "p.json", in: folder)
        let single = try Pipeline(contentsOf: pipeline).run(log: { _ in }).data!
        let results = ThreadedProcessGroup.run(ranks: 3) { group in
            try Pipeline(contentsOf: pipeline).run(log: { _ in }, group: group).data!
        }
        let shards = try results.map { try $0.get() }
        guard case .categorical(let whole) = single.features[1].values else { return XCTFail("c is categorical") }
        XCTAssertEqual(whole.labels, ["b", "a", "rare"])
        for shard in shards {
            guard case .categorical(let values) = shard.features[1].values else { return XCTFail("c is categorical") }
            XCTAssertEqual(values.labels, whole.labels, "the same labels in the same order on every rank")
        }
        XCTAssertEqual(shards.flatMap { Array($0.features[1].values.categoricalRows) }, Array(whole))
        XCTAssertEqual(shards.flatMap(\.rowIDs), single.rowIDs)
    }
}

private extension ColumnValues {
    var categoricalRows: CategoricalValues {
        if case .categorical(let values) = self { return values }
        return []
    }
}

/// The default ingest threads of the processes of one machine share its cores.
final class IngestThreadShareTests: XCTestCase {
    func testProcessesOfOneMachineShareItsCores() {
        XCTAssertEqual(IngestStage.threads(cores: 2, processesOnThisMachine: 1), 2)
        XCTAssertEqual(IngestStage.threads(cores: 2, processesOnThisMachine: 2), 1)
        XCTAssertEqual(IngestStage.threads(cores: 8, processesOnThisMachine: 3), 2)
        XCTAssertEqual(IngestStage.threads(cores: 2, processesOnThisMachine: 4), 1)
        XCTAssertEqual(IngestStage.threads(cores: 4, processesOnThisMachine: 0), 4)
    }
}
