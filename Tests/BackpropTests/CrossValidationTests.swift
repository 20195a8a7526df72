import Backprop
import FoundationEssentials
import XCTest

/// k-fold cross-validation: folds that partition the training rows, stratified and seeded; the
/// stages after the split run once per fold; mean ± sd and fold values; the final model on all rows.
final class CrossValidationTests: XCTestCase {
    /// 50 rows, 15 of class 1 (every row whose index is a multiple of 10 or ends in 3, 6).
    private func csv() -> String {
        "y,x\n" + (0..<50).map { i in "\([0, 3, 6].contains(i % 10) ? 1 : 0),\(Double(i) / 10)" }.joined(separator: "\n") + "\n"
    }

    private func runCV(_ split: String, _ folder: URL, lines: LineSink = LineSink()) throws -> PipelineContext {
        try runPipeline("""
            {"seed": 7, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              \(split),
              {"stage": "normalize", "standardize": ["x"]},
              {"stage": "train", "hidden": [2], "epochs": 20, "learning_rate": 0.5, "model": "m.json"},
              {"stage": "evaluate", "report": "r.json"}
            ]}
            """, in: folder, lines: lines).get()
    }

    func testFoldsPartitionTheRowsKeepTheClassSharesAndFollowTheSeed() throws {
        let folder = temporaryFolder(self)
        write(csv(), to: "data.csv", in: folder)
        let data = try XCTUnwrap(runPipeline(#"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "y"}]}"#, in: folder).get().data)
        func stage(_ fields: [String: JSONValue]) throws -> SplitStage {
            var p = StageParameters(index: 0, kind: "split", fields: fields, pipelineFile: folder.appendingPathComponent("p.json"), derivedSeed: 0)
            return try SplitStage(parameters: &p)
        }
        let all = DataSplit(train: Array(0..<50), test: [])
        let split = try stage(["folds": .number(5), "repeats": .number(2), "seed": .number(3)])
        let (splits, stratified) = try split.folds(of: all, data: data)
        XCTAssertTrue(stratified, "a 0/1 target is stratified by default")
        XCTAssertEqual(splits.count, 10)
        for repeatIndex in 0..<2 {
            let folds = splits[(repeatIndex * 5)..<(repeatIndex * 5 + 5)]
            XCTAssertEqual(folds.flatMap { $0.test }.sorted(), Array(0..<50), "each row is tested once per repeat")
            for fold in folds {
                XCTAssertEqual(fold.test.count, 10)
                XCTAssertEqual(fold.test.filter { [0, 3, 6].contains($0 % 10) }.count, 3, "15 positives over 5 folds: 3 each")
                XCTAssertTrue(Set(fold.train).isDisjoint(with: fold.test))
                XCTAssertEqual(fold.train.count + fold.test.count, 50)
            }
        }
        XCTAssertNotEqual(splits[0].test, splits[5].test, "a repeat draws the folds anew")
        XCTAssertEqual(try split.folds(of: all, data: data).splits, splits, "same seed, same folds")
        XCTAssertNotEqual(try stage(["folds": .number(5), "seed": .number(4)]).folds(of: all, data: data).splits, Array(splits[0..<5]))
        let plain = try stage(["folds": .number(5), "stratify": .bool(false), "seed": .number(3)])
        XCTAssertFalse(try plain.folds(of: all, data: data).stratified)
    }

    func testEachFoldRunsTheLaterStagesAndTheSummaryIsTheirMeanAndSD() throws {
        let folder = temporaryFolder(self)
        write(csv(), to: "data.csv", in: folder)
        let lines = LineSink()
        let context = try runCV(#"{"stage": "split", "folds": 5}"#, folder, lines: lines)
        let summary = try XCTUnwrap(context.crossValidation)
        let accuracy = try XCTUnwrap(summary.metric("accuracy"))
        XCTAssertEqual(accuracy.values.count, 5)
        // Each fold tests 10 rows: its accuracy is a multiple of 0.1.
        for value in accuracy.defined { XCTAssertEqual(value * 10, (value * 10).rounded(), accuracy: 1e-9) }
        let mean = accuracy.defined.reduce(0, +) / 5
        XCTAssertEqual(try XCTUnwrap(accuracy.mean), mean, accuracy: 1e-12)
        let sd = (accuracy.defined.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        XCTAssertEqual(try XCTUnwrap(accuracy.standardDeviation), sd, accuracy: 1e-12)
        // The final model trains on all 50 rows and the report holds the folds.
        XCTAssertEqual(context.model?.training["training_rows"], .number(50))
        XCTAssertTrue(lines.lines.contains("Final model: trained on all 50 training rows (no test rows held out)"), "\(lines.lines)")
        XCTAssertTrue(lines.lines.contains { $0.hasPrefix("  accuracy: ") && $0.contains(" ± ") && $0.contains("folds: ") })
        let report = try JSONParser.parse(Data(contentsOf: folder.appendingPathComponent("r.json")))
        guard case .object(let top) = report, case .object(let cv)? = top["cross_validation"], case .object(let metrics)? = cv["metrics"],
              case .object(let acc)? = metrics["accuracy"], case .array(let folds)? = acc["folds"] else {
            return XCTFail("no cross_validation in the report")
        }
        XCTAssertEqual(folds.count, 5)
        XCTAssertEqual(top["test"], .null, "no test rows were held out")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.json").path), "the final model is written once")
    }

    func testWithHeldOutRowsTheTestAndTheFoldsAreSideBySide() throws {
        let folder = temporaryFolder(self)
        write(csv(), to: "data.csv", in: folder)
        let lines = LineSink()
        let context = try runCV(#"{"stage": "split", "test_fraction": 0.2, "folds": 4}"#, folder, lines: lines)
        XCTAssertEqual(context.crossValidation?.rows, 40, "the folds cover the 40 training rows only")
        XCTAssertEqual(context.model?.training["training_rows"], .number(40))
        XCTAssertTrue(lines.lines.contains { $0.hasPrefix("Side by side, accuracy: test rows ") && $0.contains("4-fold cross-validation") }, "\(lines.lines)")
    }

    func testBadCrossValidationFieldsAreOneClearLine() {
        let folder = temporaryFolder(self)
        write(csv(), to: "data.csv", in: folder)
        for (split, expected) in [
            (#"{"stage": "split", "folds": 1}"#, "field 'folds': expected a whole number of at least 2"),
            (#"{"stage": "split", "repeats": 2}"#, "field 'repeats': only used with folds"),
            (#"{"stage": "split", "folds": 3, "stratify": "yes"}"#, "field 'stratify': expected true or false"),
            (#"{"stage": "split", "folds": 60}"#, "folds 60 needs at least 60 training rows, there are 50"),
        ] {
            let message = (try? runCV(split, folder)).map { _ in "no error" } ?? {
                do { _ = try runCV(split, folder); return "" } catch { return "\(error)" }
            }()
            XCTAssertTrue(message.contains(expected), message)
        }
    }
}
