import Backprop
import Foundation
import XCTest

/// Every kind of bad input gives one clear error naming what is at fault, of the right category,
/// and leaves no model or report behind.
final class BadInputTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
    }

    /// A pipeline reading `data.csv` from the test folder and writing a model and a report.
    private func pipeline(ingest: String = #""target": "admit", "categorical": ["rank"]"#, extraStages: String = "") -> String {
        """
        {"stages": [
          {"stage": "ingest", "path": "data.csv", \(ingest)},
          {"stage": "normalize", "standardize": ["gre"], "one_hot": ["rank"]},
          {"stage": "split", "test_fraction": 0.25, "seed": 1},
          {"stage": "train", "hidden": [2], "epochs": 5, "learning_rate": 0.1, "model": "m.json"},
          {"stage": "evaluate", "report": "r.json"}\(extraStages)
        ]}
        """
    }

    private let goodRows = "0,380,3.61,3\n1,660,3.67,3\n1,800,4,1\n1,640,3.19,4\n0,520,2.93,4\n1,760,3,2\n0,560,2.98,1\n1,400,3.08,2\n"

    /// Runs `json` over `csv` and returns the error, checking that nothing was written.
    private func failure(csv: String?, json: String, file: StaticString = #filePath, line: UInt = #line) -> BackpropError? {
        if let csv { write(csv, to: "data.csv", in: folder) }
        let error = expectFailure(runPipeline(json, in: folder), file: file, line: line)
        for output in ["m.json", "r.json"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(output).path),
                           "\(output) was written by a failed run", file: file, line: line)
        }
        XCTAssertFalse(error?.message.contains("\n") ?? false, "the error is one line", file: file, line: line)
        return error
    }

    func testTheGoodFixtureRuns() throws {
        write("admit,gre,gpa,rank\n" + goodRows, to: "data.csv", in: folder)
        _ = try runPipeline(pipeline(), in: folder).get()
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.json").path))
    }

    // MARK: - CSV

    func testNonNumericValueNamesFileLineAndColumn() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,380,3.61,3\n1,six hundred,3.67,3\n", json: pipeline())
        XCTAssertEqual(error?.category, .data)
        XCTAssertTrue(error?.message.contains("data.csv: line 3, column 'gre': expected a number, got \"six hundred\"") ?? false, error?.message ?? "")
    }

    func testNotANumberTextIsNotANumber() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,nan,3.61,3\n", json: pipeline())
        XCTAssertTrue(error?.message.contains("line 2, column 'gre'") ?? false, error?.message ?? "")
    }

    func testRaggedRowNamesLineAndFieldCounts() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,380,3.61,3\n1,660,3.67\n", json: pipeline())
        XCTAssertEqual(error?.category, .data)
        XCTAssertTrue(error?.message.contains("line 3: expected 4 fields, got 3") ?? false, error?.message ?? "")
    }

    func testUnterminatedQuote() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,380,3.61,3\n1,\"660,3.67,3\n", json: pipeline())
        XCTAssertEqual(error?.category, .data)
        XCTAssertTrue(error?.message.contains("unterminated quoted field") ?? false, error?.message ?? "")
    }

    func testMalformedQuoting() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,38\"0,3.61,3\n", json: pipeline())
        XCTAssertTrue(error?.message.contains("line 2: malformed CSV") ?? false, error?.message ?? "")
    }

    func testEmptyFile() {
        let error = failure(csv: "", json: pipeline())
        XCTAssertTrue(error?.message.contains("data.csv: the file is empty") ?? false, error?.message ?? "")
    }

    func testHeaderWithoutRows() {
        let error = failure(csv: "admit,gre,gpa,rank\n", json: pipeline())
        XCTAssertTrue(error?.message.contains("no data rows") ?? false, error?.message ?? "")
    }

    func testMissingTargetColumn() {
        let error = failure(csv: "accepted,gre,gpa,rank\n" + goodRows, json: pipeline())
        XCTAssertEqual(error?.category, .data)
        XCTAssertTrue(error?.message.contains("pipeline.json: stage 1 (ingest): ") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("data.csv: no column 'admit' (from 'target')") ?? false, error?.message ?? "")
    }

    func testMissingFile() {
        let error = failure(csv: nil, json: pipeline())
        XCTAssertTrue(error?.message.contains("data.csv: cannot read the file") ?? false, error?.message ?? "")
    }

    func testMissingValueIsAnErrorByDefault() {
        let error = failure(csv: "admit,gre,gpa,rank\n0,380,3.61,3\n1,,3.67,3\n" + goodRows, json: pipeline())
        XCTAssertTrue(error?.message.contains("line 3, column 'gre': missing value") ?? false, error?.message ?? "")
    }

    func testMissingValuesCanBeDropped() throws {
        write("admit,gre,gpa,rank\n0,380,3.61,3\n1,NA,3.67,3\n" + goodRows, to: "data.csv", in: folder)
        let context = try runPipeline(pipeline(ingest: #""target": "admit", "categorical": ["rank"], "missing": "drop""#), in: folder).get()
        XCTAssertEqual(context.data?.rowCount, 9)
        XCTAssertFalse(context.data!.rowIDs.contains(1), "data row 1 (the NA) is gone")
    }

    func testUnknownCategoryAtTestTimeNamesTheRow() {
        // rank 9 appears in one row only; with the reference's normalize-after-split order it
        // cannot be fitted on the training rows if it lands in the test rows.
        let json = """
        {"stages": [
          {"stage": "ingest", "path": "data.csv", "target": "admit", "categorical": ["rank"]},
          {"stage": "split", "train_rows": [0, 1, 2, 3, 4, 5, 6, 7], "test_rows": [8]},
          {"stage": "normalize", "one_hot": ["rank"]},
          {"stage": "train", "hidden": [2], "epochs": 5, "learning_rate": 0.1, "model": "m.json"}
        ]}
        """
        let error = failure(csv: "admit,gre,gpa,rank\n" + goodRows + "1,700,3.5,9\n", json: json)
        XCTAssertTrue(error?.message.contains("data row 9, column 'rank': unknown category \"9\"") ?? false, error?.message ?? "")
    }

    // MARK: - Pipeline file

    func testNotJSON() {
        let error = failure(csv: nil, json: "{\"stages\": [")
        XCTAssertEqual(error?.category, .pipeline)
        XCTAssertTrue(error?.message.contains("pipeline.json: not valid JSON") ?? false, error?.message ?? "")
    }

    func testUnknownStageKind() {
        let error = failure(csv: nil, json: #"{"stages": [{"stage": "ingest", "path": "d.csv", "target": "y"}, {"stage": "normalise"}]}"#)
        XCTAssertEqual(error?.category, .pipeline)
        XCTAssertTrue(error?.message.contains("stage 2: unknown stage kind 'normalise'") ?? false, error?.message ?? "")
    }

    func testUnknownFieldNamesStageKindAndField() {
        let error = failure(csv: nil, json: pipeline(extraStages: #", {"stage": "split", "test_fracton": 0.2}"#))
        XCTAssertTrue(error?.message.contains("stage 6 (split): field 'test_fracton': unknown field") ?? false, error?.message ?? "")
    }

    func testWrongTypeNamesExpectedAndGot() {
        let json = #"{"stages": [{"stage": "ingest", "path": "d.csv", "target": "y"}, {"stage": "train", "hidden": [2], "epochs": "many", "learning_rate": 0.1}]}"#
        let error = failure(csv: nil, json: json)
        XCTAssertTrue(error?.message.contains("stage 2 (train): field 'epochs': expected a whole number, got \"many\"") ?? false, error?.message ?? "")
    }

    func testMissingRequiredField() {
        let json = #"{"stages": [{"stage": "ingest", "path": "d.csv", "target": "y"}, {"stage": "train", "hidden": [2], "epochs": 3}]}"#
        let error = failure(csv: nil, json: json)
        XCTAssertTrue(error?.message.contains("stage 2 (train): field 'learning_rate': missing (required)") ?? false, error?.message ?? "")
    }

    func testPipelineErrorsComeBeforeAnythingRuns() {
        // The CSV is bad too, but the pipeline file's error in stage 5 is reported first.
        let error = failure(csv: "garbage\"", json: pipeline(extraStages: #", {"stage": "evaluate", "report": 3}"#))
        XCTAssertEqual(error?.category, .pipeline)
        XCTAssertTrue(error?.message.contains("stage 6 (evaluate): field 'report': expected a string, got 3") ?? false, error?.message ?? "")
    }

    func testBadSplitRows() {
        let json = #"{"stages": [{"stage": "ingest", "path": "d.csv", "target": "y"}, {"stage": "split", "train_rows": [0, 1, 1]}]}"#
        XCTAssertTrue(failure(csv: nil, json: json)?.message.contains("field 'train_rows': row 1 is listed twice") ?? false)
        let overlap = #"{"stages": [{"stage": "ingest", "path": "d.csv", "target": "y"}, {"stage": "split", "train_rows": [0, 1], "test_rows": [1]}]}"#
        XCTAssertTrue(failure(csv: nil, json: overlap)?.message.contains("row 1 is in both") ?? false)
    }

    func testSplitRowOutOfRange() {
        let json = pipeline().replacingOccurrences(of: #""test_fraction": 0.25, "seed": 1"#, with: #""train_rows": [0, 1, 2, 3, 4, 5], "test_rows": [6, 70]"#)
        let error = failure(csv: "admit,gre,gpa,rank\n" + goodRows, json: json)
        XCTAssertTrue(error?.message.contains("field 'test_rows': data row 70 does not exist") ?? false, error?.message ?? "")
    }

    func testInitialWeightsOfTheWrongShape() {
        let json = pipeline().replacingOccurrences(of: #""learning_rate": 0.1"#, with: #""learning_rate": 0.1, "initial_weights": [[[1, 2]], [[1], [2]]]"#)
        let error = failure(csv: "admit,gre,gpa,rank\n" + goodRows, json: json)
        XCTAssertTrue(error?.message.contains("field 'initial_weights': layer 1 must be 6×2") ?? false, error?.message ?? "")
    }

    // MARK: - Training

    func testDivergingTrainingWritesNoModel() {
        let json = pipeline().replacingOccurrences(of: #""learning_rate": 0.1"#, with: #""learning_rate": 1e300, "output_activation": "identity""#)
            .replacingOccurrences(of: #",\n  {"stage": "evaluate", "report": "r.json"}"#, with: "")
        let error = failure(csv: "admit,gre,gpa,rank\n" + goodRows, json: json)
        XCTAssertEqual(error?.category, .training)
        XCTAssertTrue(error?.message.contains("try a smaller learning_rate") ?? false, error?.message ?? "")
    }

    // MARK: - Outputs

    func testAnUnwritableModelPathIsAnOutputErrorAndLeavesNothingBehind() {
        write("admit,gre,gpa,rank\n" + goodRows, to: "data.csv", in: folder)
        let json = pipeline().replacingOccurrences(of: #""model": "m.json""#, with: #""model": "data.csv/m.json""#)
        let error = expectFailure(runPipeline(json, in: folder))
        XCTAssertEqual(error?.category, .output)
        XCTAssertTrue(error?.message.contains("data.csv/m.json: cannot create the folder") ?? false, error?.message ?? "")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        XCTAssertEqual(leftovers.filter { $0.hasSuffix(".tmp") }, [], "no temporary file is left")
    }
}
