@testable import Backprop
import Foundation
import XCTest

/// Reading in place (each part writes its rows straight into the returned columns, from the line
/// feeds before it on) gives exactly what reading into part buffers and merging them gives, and
/// falls back to that when the line feeds do not bound the records.
final class ColumnarCSVReaderInPlaceTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
    }

    /// The file, its head and a plan: `c` a label column, `skip` skipped, every other a number.
    private func open(_ csv: String, missing: CSVColumnPlan.MissingRows) throws -> (CSVFile, ColumnarCSVReader.Head, CSVColumnPlan) {
        let url = write(csv, to: "data.csv", in: folder)
        let file = try CSVFile(path: url.path, name: "data.csv")
        let head = try ColumnarCSVReader.head(of: file, options: CSVOptions())
        var plan = CSVColumnPlan(header: head.header, missingRows: missing)
        for (index, name) in head.header.enumerated() {
            plan.roles[index] = name == "c" ? .label : name == "skip" ? .skip : .number
        }
        return (file, head, plan)
    }

    /// In place, through `read`, in parts of at least 8 bytes.
    private func readInPlace(_ csv: String, threads: Int, missing: CSVColumnPlan.MissingRows = .error) throws -> CSVColumns? {
        let (file, head, plan) = try open(csv, missing: missing)
        return try ColumnarCSVReader.readInPlace(file, head: head, plan: plan, options: CSVOptions(), threads: threads,
                                                 minimumPartBytes: 8, progress: nil)
    }

    /// Through part buffers merged afterwards (the reference).
    private func readMerged(_ csv: String, threads: Int, missing: CSVColumnPlan.MissingRows = .error) throws -> CSVColumns {
        let (file, head, plan) = try open(csv, missing: missing)
        let parsed = try ColumnarCSVReader.parse(file, range: head.dataStart..<file.size, plan: plan, options: CSVOptions(),
                                                 threads: threads, minimumPartBytes: 8)
        if let failure = try ColumnarCSVReader.firstFailure(of: parsed, file: file, plan: plan, options: CSVOptions()) { throw failure }
        return try ColumnarCSVReader.merge(parsed.sinks, plan: plan, file: file)
    }

    private func assertSame(_ csv: String, threads: [Int], missing: CSVColumnPlan.MissingRows = .error,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try readMerged(csv, threads: 1, missing: missing)
        for count in threads {
            guard let inPlace = try readInPlace(csv, threads: count, missing: missing) else {
                return XCTFail("\(count) threads: not read in place", file: file, line: line)
            }
            XCTAssertEqual(inPlace.rowIDs, reference.rowIDs, "\(count) threads", file: file, line: line)
            XCTAssertEqual(inPlace.columns.count, reference.columns.count, file: file, line: line)
            for (index, (got, expected)) in zip(inPlace.columns, reference.columns).enumerated() {
                // Bit patterns, so that NaN (a kept missing value) compares too.
                if case .numeric(let values)? = got, case .numeric(let wanted)? = expected {
                    XCTAssertEqual(values.map(\.bitPattern), wanted.map(\.bitPattern), "\(count) threads, column \(index)", file: file, line: line)
                } else {
                    XCTAssertEqual(got, expected, "\(count) threads, column \(index)", file: file, line: line)
                }
            }
        }
    }

    func testPartsWriteTheirRowsInPlaceAsTheMergeWould() throws {
        var csv = "x,c,y,skip\n"
        for row in 0..<3_000 { csv += "\(Double(row) / 7),\(["a", "b", "c"][row % 3]),\(row % 2),s\n" }
        try assertSame(csv, threads: [1, 2, 3, 8])
        let read = try XCTUnwrap(try readInPlace(csv, threads: 3))
        guard case .numeric(let x)? = read.columns[0] else { return XCTFail("x") }
        XCTAssertEqual(x.count, 3_000)
        XCTAssertEqual(x[2_999], 2_999.0 / 7)
        XCTAssertNil(read.columns[3])
    }

    func testRowsLeftOutAndBlankLinesInEveryPartAreClosedUp() throws {
        // Dropped rows and blank lines leave rows of a part unfilled: the later parts move down.
        var csv = "x,c,y\n"
        for row in 0..<2_000 {
            csv += row % 97 == 3 ? "NA,a,1\n" : "\(row),\(row % 5 == 0 ? "p" : "q"),\(row % 3)\n"
            if row % 89 == 5 { csv += "\n" }
        }
        try assertSame(csv, threads: [1, 2, 4, 7], missing: .drop)
        try assertSame(csv, threads: [1, 3], missing: .keep)
        let read = try XCTUnwrap(try readInPlace(csv, threads: 4, missing: .drop))
        XCTAssertEqual(read.rowIDs.count, 2_000 - 21, "rows 3, 100, …, 1943 have NA")
    }

    func testQuotedLineFeedsReadAgainAsOnePartInPlace() throws {
        var csv = "x,c,y\n"
        for row in 0..<1_000 { csv += row % 50 == 9 ? "\(row),\"two\nlines, and a comma\",1\n" : "\(row),plain,0\n" }
        try assertSame(csv, threads: [1, 2, 5])
    }

    func testNoFinalLineFeedFillsTheLastRow() throws {
        try assertSame("x,c,y\n1,a,2\n3,b,4", threads: [1, 2])
        try assertSame("x,c,y\r\n1,a,2\r\n\r\n3,b,4", threads: [1, 2])
    }

    func testLinesEndedByACarriageReturnAloneFallBackToPartBuffers() throws {
        // libcsv ends records at a lone CR too, so the line feeds do not bound the records.
        let csv = "x,c,y\n" + (0..<300).map { "\($0),a,\($0 % 2)\r" }.joined()
        XCTAssertNil(try readInPlace(csv, threads: 2), "more records than line feeds: not in place")
        let (file, head, plan) = try open(csv, missing: .error)
        let read = try ColumnarCSVReader.read(file, head: head, plan: plan, options: CSVOptions(), threads: 2, minimumPartBytes: 8)
        guard case .numeric(let x)? = read.columns[0] else { return XCTFail("x") }
        XCTAssertEqual(x, (0..<300).map(Double.init))
    }

    func testTooManyNumberColumnsGoThroughPartBuffers() throws {
        let width = ColumnarCSVReader.mostInPlaceColumns + 1
        let csv = (0..<width).map { "x\($0)" }.joined(separator: ",") + "\n" +
            (0..<3).map { row in (0..<width).map { String(row * width + $0) }.joined(separator: ",") + "\n" }.joined()
        XCTAssertNil(try readInPlace(csv, threads: 1))
        let (file, head, plan) = try open(csv, missing: .error)
        let read = try ColumnarCSVReader.read(file, head: head, plan: plan, options: CSVOptions(), threads: 1)
        guard case .numeric(let last)? = read.columns[width - 1] else { return XCTFail("last column") }
        XCTAssertEqual(last, [Double(width - 1), Double(2 * width - 1), Double(3 * width - 1)])
    }

    func testErrorsInPlaceNameTheirLines() throws {
        var csv = "x,c,y\n"
        for row in 0..<500 { csv += row == 321 ? "1,a,2,3\n" : "\(row),a,0\n" }
        for threads in [1, 3] {
            XCTAssertThrowsError(try readInPlace(csv, threads: threads)) { error in
                XCTAssertEqual((error as? BackpropError)?.message, "data.csv: line 323: expected 3 fields, got 4")
            }
        }
        XCTAssertThrowsError(try readInPlace("x,c,y\n", threads: 2)) { error in
            XCTAssertEqual((error as? BackpropError)?.message, "data.csv: no data rows after the header")
        }
    }

    func testARecordBeyondTheCallersBuffersStopsTheSinkWithoutWritingThere() throws {
        var plan = CSVColumnPlan(header: ["x", "y"])
        plan.roles = [.number, .number]
        let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: 6)
        defer { storage.deallocate() }
        storage.initialize(repeating: -1)
        // Two columns of room for 2 rows each, side by side; storage[2] and [5] are guards.
        let sink = CSVColumnSink(plan: plan, numbers: [storage.baseAddress!, storage.baseAddress! + 3], capacity: 2)
        for row in 0..<3 {
            for column in 0..<2 {
                "\(row * 10 + column)".utf8CString.withUnsafeBytes { sink.field(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            }
            sink.endRecord()
        }
        XCTAssertEqual(sink.rowCount, 2)
        guard case .full(let record)? = sink.failure else { return XCTFail("expected .full, got \(String(describing: sink.failure))") }
        XCTAssertEqual(record, 2)
        XCTAssertEqual(Array(storage), [0, 10, -1, 1, 11, -1])
    }
}
