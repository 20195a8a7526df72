import Backprop
import BackpropNumerics
import FoundationEssentials
import XCTest

/// The built-in stages, checked with hand-computed numbers.
final class StageTests: XCTestCase {
    private func dataset(_ columns: [Column], target: [Double]) -> Dataset {
        Dataset(source: "test", features: columns, target: Column(name: "y", values: .numeric(target)),
                rowIDs: Array(0..<target.count))
    }

    func testStandardizeUsesTheSampleStandardDeviation() throws {
        // 2, 4, 6: mean 4, sample sd √((4 + 0 + 4) / 2) = 2.
        let data = dataset([Column(name: "x", values: .numeric([2, 4, 6]))], target: [0, 1, 0])
        let transform = try StandardizeTransform(fitting: data.features[0], rows: [0, 1, 2])
        XCTAssertEqual(transform.mean, 4)
        XCTAssertEqual(transform.standardDeviation, 2, accuracy: 1e-15)
        XCTAssertEqual(try transform.apply(to: data).features[0].numbers, [-1, 0, 1])
    }

    func testMinMaxMapsTheFittedRangeToZeroOne() throws {
        let data = dataset([Column(name: "x", values: .numeric([10, 20, 15, 40]))], target: [0, 1, 0, 1])
        // Fitted on the first three rows only: the fourth row falls outside [0, 1].
        let transform = try MinMaxTransform(fitting: data.features[0], rows: [0, 1, 2])
        XCTAssertEqual(try transform.apply(to: data).features[0].numbers, [0, 1, 0.5, 3])
    }

    func testOneHotSortsNumericCategoriesAndReplacesTheColumnInPlace() throws {
        let data = dataset([
            Column(name: "a", values: .numeric([1, 2, 3])),
            Column(name: "rank", values: .categorical(["10", "2", "1"])),
            Column(name: "b", values: .numeric([4, 5, 6])),
        ], target: [0, 1, 0])
        let transform = OneHotTransform(fitting: data.features[1], rows: [0, 1, 2])
        XCTAssertEqual(transform.categories, ["1", "2", "10"], "numeric labels sort as numbers")
        let encoded = try transform.apply(to: data)
        XCTAssertEqual(encoded.featureNames, ["a", "rank_1", "rank_2", "rank_10", "b"])
        XCTAssertEqual(encoded.features[1].numbers, [0, 0, 1])
        XCTAssertEqual(encoded.features[3].numbers, [1, 0, 0])
    }

    func testOneHotSortsTextCategoriesAsText() {
        let column = Column(name: "colour", values: .categorical(["red", "blue", "green", "blue"]))
        XCTAssertEqual(OneHotTransform(fitting: column, rows: [0, 1, 2, 3]).categories, ["blue", "green", "red"])
    }

    func testNormalizeAfterSplitFitsOnTheTrainingRowsOnly() throws {
        let folder = temporaryFolder(self)
        write("y,x\n0,1\n1,3\n0,5\n1,100\n", to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              {"stage": "split", "train_rows": [0, 1, 2], "test_rows": [3]},
              {"stage": "normalize", "standardize": ["x"]}
            ]}
            """, in: folder).get()
        let step = try XCTUnwrap(context.preprocessing.first as? StandardizeTransform)
        XCTAssertEqual(step.mean, 3, "the test row's 100 is not part of the fit")
        XCTAssertEqual(step.standardDeviation, 2, accuracy: 1e-15)
        XCTAssertEqual(context.data?.features[0].numbers?.last ?? 0, 48.5, accuracy: 1e-12)
    }

    func testNormalizeBeforeSplitFitsOnAllRows() throws {
        let folder = temporaryFolder(self)
        write("y,x\n0,1\n1,3\n0,5\n1,7\n", to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              {"stage": "normalize", "standardize": ["x"]},
              {"stage": "split", "train_rows": [0, 1, 2], "test_rows": [3]}
            ]}
            """, in: folder).get()
        XCTAssertEqual((context.preprocessing.first as? StandardizeTransform)?.mean, 4)
    }

    func testRandomSplitIsSeededAndDisjoint() throws {
        let folder = temporaryFolder(self)
        write("y,x\n" + (0..<50).map { "\($0 % 2),\($0)" }.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
        func split(seed: Int) throws -> DataSplit {
            try XCTUnwrap(runPipeline("""
                {"stages": [{"stage": "ingest", "path": "data.csv", "target": "y"},
                            {"stage": "split", "test_fraction": 0.2, "seed": \(seed)}]}
                """, in: folder).get().split)
        }
        let first = try split(seed: 1)
        XCTAssertEqual(first.test.count, 10)
        XCTAssertEqual(Set(first.train + first.test), Set(0..<50))
        XCTAssertTrue(Set(first.train).isDisjoint(with: first.test))
        XCTAssertEqual(first, try split(seed: 1), "same seed, same split")
        XCTAssertNotEqual(first, try split(seed: 2), "another seed, another split")
    }

    func testDelimiterQuoteAndHeaderOptions() throws {
        let folder = temporaryFolder(self)
        write("0;'1,5';a\n1;'2,5';b\n0;3;a\n", to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"stages": [{"stage": "ingest", "path": "data.csv", "target": "column1", "delimiter": ";",
                         "quote": "'", "header": false, "columns": ["column3"], "categorical": ["column3"]}]}
            """, in: folder).get()
        XCTAssertEqual(context.data?.featureNames, ["column3"])
        XCTAssertEqual(context.data?.features[0].values, .categorical(["a", "b", "a"]))
        XCTAssertEqual(context.data?.target.numbers, [0, 1, 0])
    }

    func testEvaluateCountsTheConfusionMatrixAndBaseline() {
        let evaluation = Evaluation(probabilities: [0.9, 0.2, 0.6, 0.4, 0.1], targets: [1, 0, 0, 1, 0], majorityClass: 0)
        XCTAssertEqual(evaluation.truePositives, 1)
        XCTAssertEqual(evaluation.falsePositives, 1)
        XCTAssertEqual(evaluation.trueNegatives, 2)
        XCTAssertEqual(evaluation.falseNegatives, 1)
        XCTAssertEqual(evaluation.accuracy, 0.6)
        XCTAssertEqual(evaluation.baselineAccuracy, 0.6)
        XCTAssertEqual(evaluation.meanSquaredError, (0.01 + 0.04 + 0.36 + 0.36 + 0.01) / 5, accuracy: 1e-15)
        XCTAssertEqual(evaluation.logLoss, -(log(0.9) + log(0.8) + log(0.4) + log(0.4) + log(0.9)) / 5, accuracy: 1e-12)
    }

    func testRegressionMetricsByHand() {
        // Errors 1, −1, 0, 2 against targets 1, 2, 3, 6 (mean 3, SST 14); training mean 2.
        let evaluation = RegressionEvaluation(predictions: [2, 1, 3, 8], targets: [1, 2, 3, 6], trainingMean: 2)
        XCTAssertEqual(evaluation.meanSquaredError, 6.0 / 4)
        XCTAssertEqual(evaluation.meanAbsoluteError, 4.0 / 4)
        XCTAssertEqual(evaluation.rSquared, 1 - 6.0 / 14, accuracy: 1e-15)
        XCTAssertEqual(evaluation.baselineMeanSquaredError, (1 + 0 + 1 + 16) / 4.0)
    }

    func testEvaluateReportsRegressionMetricsForAQuantityTarget() throws {
        let folder = temporaryFolder(self)
        write("y,x\n" + (0..<40).map { "\(Double($0) * 0.5 + 1),\($0)" }.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
        let lines = LineSink()
        let context = try runPipeline("""
            {"seed": 2, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              {"stage": "split", "test_fraction": 0.25},
              {"stage": "normalize", "standardize": ["x"]},
              {"stage": "train", "hidden": [], "output_activation": "identity", "epochs": 500, "learning_rate": 0.1},
              {"stage": "evaluate", "report": "r.json"}
            ]}
            """, in: folder, lines: lines).get()
        // y = 0.5·x + 1 is linear: a linear model fits it almost exactly.
        let report = try JSONParser.parse(Data(contentsOf: folder.appendingPathComponent("r.json")))
        guard case .object(let top) = report, case .object(let test)? = top["test"],
              case .number(let r2)? = test["r_squared"] else { return XCTFail("no r_squared in \(report)") }
        XCTAssertGreaterThan(r2, 0.999)
        XCTAssertEqual(context.regressionEvaluation?.rSquared, r2, "the run's result holds the reported metrics")
        XCTAssertTrue(lines.lines.contains { $0.hasPrefix("Test MSE: ") && $0.contains("R²") })
    }
}
