@testable import Backprop
import Foundation
import XCTest

/// The columnar reader: the same columns, row ids and error lines whether a file is read as one
/// part or in several parts on several threads.
final class ColumnarCSVReaderTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
    }

    /// Reads `csv` with columns `x` (number), `c` (label) and `y` (number).
    private func read(_ csv: String, threads: Int, missing: CSVColumnPlan.MissingRows = .error,
                      options: CSVOptions = CSVOptions()) throws -> CSVColumns {
        let url = write(csv, to: "data.csv", in: folder)
        let file = try CSVFile(path: url.path, name: "data.csv")
        let head = try ColumnarCSVReader.head(of: file, options: options)
        var plan = CSVColumnPlan(header: head.header, missingRows: missing)
        for (index, name) in head.header.enumerated() {
            plan.roles[index] = name == "c" ? .label : name == "skip" ? .skip : .number
        }
        return try ColumnarCSVReader.read(file, head: head, plan: plan, options: options, threads: threads, minimumPartBytes: 8)
    }

    private func rows(_ count: Int, bad: (row: Int, text: String)? = nil) -> String {
        var text = "x,c,y\n"
        for row in 0..<count {
            let x = row == bad?.row ? bad!.text : String(Double(row) * 0.25 - 3)
            text += "\(x),\(["red", "green", "blue"][row % 3 == 0 ? row % 2 : 2]),\(row % 2)\n"
        }
        return text
    }

    private func numbers(_ columns: CSVColumns, _ index: Int) -> [Double] {
        guard case .numeric(let values)? = columns.columns[index] else { return [] }
        return values
    }

    func testPartsOnThreadsGiveTheColumnsOfOnePart() throws {
        let csv = rows(500)
        let one = try read(csv, threads: 1)
        let file = try CSVFile(path: folder.appendingPathComponent("data.csv").path, name: "data.csv")
        XCTAssertEqual(try ColumnarCSVReader.partition(file, from: 6, parts: 3, minimumPartBytes: 8).count, 3)
        for threads in [2, 3, 7] {
            let parts = try read(csv, threads: threads)
            XCTAssertEqual(numbers(parts, 0), numbers(one, 0), "\(threads) threads")
            XCTAssertEqual(parts.columns[1], one.columns[1], "\(threads) threads")
            XCTAssertEqual(numbers(parts, 2), numbers(one, 2), "\(threads) threads")
            XCTAssertEqual(parts.rowIDs, Array(0..<500))
        }
        XCTAssertEqual(numbers(one, 0)[7], 7 * 0.25 - 3)
        guard case .categorical(let labels)? = one.columns[1] else { return XCTFail("labels") }
        XCTAssertEqual(labels.labels, ["red", "blue", "green"], "each label stored once, in order of appearance")
        XCTAssertEqual(Array(labels.prefix(4)), ["red", "blue", "blue", "green"])
    }

    func testAnErrorDeepInALaterPartNamesItsLine() throws {
        let csv = rows(400, bad: (351, "3.5x"))
        for threads in [1, 2, 4] {
            XCTAssertThrowsError(try read(csv, threads: threads)) { error in
                XCTAssertEqual((error as? BackpropError)?.message,
                               "data.csv: line 353, column 'x': expected a number, got \"3.5x\" (list the column in 'categorical' if it holds labels)")
            }
        }
    }

    func testTheFirstErrorOfTheFileWinsOverLaterParts() throws {
        var csv = rows(300, bad: (250, "oops"))
        csv = csv.replacingOccurrences(of: "\n-2.75,", with: "\n-2.75,,")  // row 1 gets a fourth field
        XCTAssertThrowsError(try read(csv, threads: 3)) { error in
            XCTAssertEqual((error as? BackpropError)?.message, "data.csv: line 3: expected 3 fields, got 4")
        }
    }

    func testQuotedLineEndsFallBackToOnePartWithTheSameResult() throws {
        var csv = "x,c,y\n"
        for row in 0..<200 { csv += "\(row),\"line one\nline \(row % 5)\",1\n" }
        let one = try read(csv, threads: 1)
        let parts = try read(csv, threads: 4)
        XCTAssertEqual(parts.columns[1], one.columns[1])
        XCTAssertEqual(numbers(parts, 0), (0..<200).map(Double.init))
        guard case .categorical(let labels)? = parts.columns[1] else { return XCTFail("labels") }
        XCTAssertEqual(labels.labels.count, 5)
        XCTAssertEqual(labels[6], "line one\nline 1")
    }

    func testQuotedFieldsCountTheirLinesInErrors() throws {
        let csv = "x,c,y\n1,\"a\nb\",0\n2,\"c\nd\",zero\n"
        XCTAssertThrowsError(try read(csv, threads: 2)) { error in
            XCTAssertEqual((error as? BackpropError)?.message, "data.csv: line 5, column 'y': expected a number, got \"zero\" (list the column in 'categorical' if it holds labels)")
        }
    }

    func testDroppedRowsKeepTheRowIDsOfTheOthers() throws {
        var csv = rows(300)
        csv = csv.replacingOccurrences(of: "\n-2.5,", with: "\nNA,").replacingOccurrences(of: "\n70.0,", with: "\n ,")
        for threads in [1, 3] {
            let read = try read(csv, threads: threads, missing: .drop)
            XCTAssertEqual(read.rowIDs.count, 298)
            XCTAssertFalse(read.rowIDs.contains(2))
            XCTAssertFalse(read.rowIDs.contains(292))
            XCTAssertEqual(numbers(read, 0).count, 298)
            XCTAssertEqual(numbers(read, 0)[2], 0.75 - 3, "row 3 moved up to position 2")
        }
    }

    func testKeptMissingNumbersAreNaN() throws {
        let read = try read("x,c,y\n1,a,0\nNA,b,1\n", threads: 1, missing: .keep)
        XCTAssertEqual(numbers(read, 0)[0], 1)
        XCTAssertTrue(numbers(read, 0)[1].isNaN)
    }

    func testANulByteInsideANumberIsAnError() throws {
        XCTAssertThrowsError(try read("x,c,y\n5\u{0} 00,a,1\n", threads: 1)) { error in
            XCTAssertEqual((error as? BackpropError)?.message,
                           "data.csv: line 2, column 'x': expected a number, got \"5\\0 00\" (list the column in 'categorical' if it holds labels)")
        }
    }

    func testAHugeBadFieldIsQuotedShort() throws {
        let huge = String(repeating: "9", count: 2_000_000) + "z"
        XCTAssertThrowsError(try read("x,c,y\n\(huge),a,1\n", threads: 1)) { error in
            let message = (error as? BackpropError)?.message ?? ""
            XCTAssertLessThan(message.count, 250, message)
            XCTAssertTrue(message.contains("got \"" + String(repeating: "9", count: 80) + "… (2000001 bytes)\""), message)
        }
    }

    func testWindowsLineEndsByteOrderMarkAndNoFinalNewline() throws {
        let read = try read("\u{FEFF}x,c,y\r\n1.5,a,0\r\n\r\n2.5,b,1", threads: 2)
        XCTAssertEqual(numbers(read, 0), [1.5, 2.5])
        XCTAssertEqual(numbers(read, 2), [0, 1])
    }

    func testWithoutAHeaderTheFirstRecordIsData() throws {
        var options = CSVOptions()
        options.header = false
        let url = write("1,2\n3,4\n", to: "data.csv", in: folder)
        let file = try CSVFile(path: url.path, name: "data.csv")
        let head = try ColumnarCSVReader.head(of: file, options: options)
        XCTAssertEqual(head.header, ["column1", "column2"])
        var plan = CSVColumnPlan(header: head.header)
        plan.roles = [.number, .skip]
        let read = try ColumnarCSVReader.read(file, head: head, plan: plan, options: options, threads: 1)
        XCTAssertEqual(numbers(read, 0), [1, 3])
        XCTAssertNil(read.columns[1])
    }

    func testAQuoteLeftOpenAtTheEndNamesTheLastLine() throws {
        XCTAssertThrowsError(try read("x,c,y\n1,a,0\n2,\"b,1\n3,c,1\n", threads: 2)) { error in
            XCTAssertEqual((error as? BackpropError)?.message, "data.csv: line 4: unterminated quoted field at end of file")
        }
    }

    func testLargePartsAreMergedOnThreadsIntoTheColumnsOfOnePart() throws {
        // 22,000 rows x 48 number columns: over the 2^20 values from which parts merge on threads.
        let rows = 22_000, width = 48
        var csv = "c,skip," + (0..<width).map { "x\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<rows {
            let values = (0..<width).map { column in row % 1000 == 7 && column == 5 ? "NA" : String(row * width + column) }
            csv += "\(["a", "b"][row % 2]),skipped,\(values.joined(separator: ","))\n"
        }
        let one = try read(csv, threads: 1, missing: .drop)
        for threads in [2, 3] {
            let parts = try read(csv, threads: threads, missing: .drop)
            XCTAssertEqual(parts.rowIDs, one.rowIDs, "\(threads) threads")
            for index in 2..<(width + 2) { XCTAssertEqual(numbers(parts, index), numbers(one, index), "\(threads) threads, column \(index)") }
            XCTAssertEqual(parts.columns[0], one.columns[0])
        }
        XCTAssertEqual(one.rowIDs.count, rows - 22, "the rows with NA are left out")
        XCTAssertNil(one.columns[1])
        // Row 8 is the eighth kept row (row 7 was dropped): its x3 is 8 * 48 + 3.
        XCTAssertEqual(numbers(one, 5)[7], Double(8 * width + 3))
        XCTAssertEqual(one.rowIDs[7], 8)
        XCTAssertEqual(numbers(one, width + 1).last, Double((rows - 1) * width + width - 1))
    }
}
