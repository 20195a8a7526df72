import BackpropNumerics
import FoundationEssentials
import Glibc
import XCTest

@testable import Backprop

/// The target column of data read from a cache stays in the file: the stages read it for the
/// rows they need, a block at a time, and get what they got from the column in memory.
final class CachedTargetTests: XCTestCase {
    /// `rows` rows: two numeric features, a quantity `q` made from them, a text class `label`.
    private func writeData(rows: Int, seed: UInt64 = 9, in folder: URL) {
        let g = RandomGenerator(seed: seed)
        var text = "a,b,q,label\n"
        for _ in 0..<rows {
            let (a, b) = (g.gaussian(standardDeviation: 1), 2 + g.gaussian(standardDeviation: 3))
            let q = 10 + 3 * a - 0.5 * b + g.gaussian(standardDeviation: 0.5)
            text += "\(a),\(b),\(q),\(a + 0.3 * b + g.gaussian(standardDeviation: 1) > 0.6 ? "yes" : "no")\n"
        }
        write(text, to: "data.csv", in: folder)
    }

    private func ingest(target: String, cache: Bool) -> String {
        #"{"stage": "ingest", "path": "data.csv", "target": "\#(target)""# + (cache ? #", "cache": true}"# : "}")
    }

    private func run(_ json: String, in folder: URL) throws -> PipelineContext {
        try runPipeline(json, in: folder).get()
    }

    private func assertSameWeights(_ a: TrainedModel?, _ b: TrainedModel?, file: StaticString = #filePath, line: UInt = #line) throws {
        let (a, b) = (try XCTUnwrap(a, file: file, line: line), try XCTUnwrap(b, file: file, line: line))
        XCTAssertEqual(a.network.layers.count, b.network.layers.count, file: file, line: line)
        for (x, y) in zip(a.network.layers, b.network.layers) {
            assertClose(x.weights.values, y.weights.values, tolerance: 1e-12, "weights", file: file, line: line)
            assertClose(x.bias ?? [], y.bias ?? [], tolerance: 1e-12, "biases", file: file, line: line)
        }
    }

    /// The target in memory and in the cache of the same CSV (the cache written by a first run).
    private func bothTargets(target: String, rows: Int, in folder: URL) throws -> (memory: TargetColumn, cached: TargetColumn, rowCount: Int) {
        writeData(rows: rows, in: folder)
        let json = #"{"stages": [\#(ingest(target: target, cache: true))]}"#
        _ = try run(json, in: folder)
        let cached = try run(json, in: folder)
        let plain = try run(#"{"stages": [\#(ingest(target: target, cache: false))]}"#, in: folder)
        return (try plain.targetColumn(), try cached.targetColumn(), try cached.requireData().rowCount)
    }

    func testDataFromACacheHoldsNoTargetValuesAndReadsThemForTheRowsAsked() throws {
        let folder = temporaryFolder(self)
        for target in ["q", "label"] {
            let (memory, cached, rowCount) = try bothTargets(target: target, rows: 500, in: folder)
            guard case .cached = cached else { return XCTFail("the target should be read from the cache") }
            XCTAssertEqual(rowCount, 500)
            XCTAssertEqual(cached.name, target)
            XCTAssertEqual(cached.isCategorical, target == "label")
            // The pipeline's dataset keeps the target's name, not a value per row.
            let data = try run(#"{"stages": [\#(ingest(target: target, cache: true))]}"#, in: folder).requireData()
            XCTAssertEqual(data.target.name, target)
            XCTAssertEqual(data.target.values.count, 0)
            // Rows in any order, repeated, or none: the values of the column in memory, in that order.
            for rows in [[499, 0, 17, 17, 3, 250], Array(0..<500), Array((0..<500).reversed()), []] {
                XCTAssertEqual(try cached.values(at: rows), try memory.values(at: rows))
            }
            XCTAssertEqual(try cached.whole(), try memory.whole())
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }

    func testBlocksOfTheTargetCoverTheRowsAskedInTheirOrderOrInFileOrder() throws {
        let folder = temporaryFolder(self)
        let rowCount = TargetColumn.blockRows + 4_000  // two blocks
        let (memory, cached, count) = try bothTargets(target: "q", rows: rowCount, in: folder)
        XCTAssertEqual(count, rowCount)
        let rows = RandomGenerator(seed: 2).shuffled(Array(0..<rowCount)).prefix(rowCount - 3_000).map { $0 }
        var inOrder = [Double](), inFileOrder = [Double](), blocks = 0
        try cached.forEachBlock(of: RowList(rows), rowCount: rowCount) { values in
            inOrder += values.numbersOrEmpty
            blocks += 1
        }
        XCTAssertEqual(blocks, 2)
        XCTAssertEqual(inOrder, try memory.values(at: rows).numbersOrEmpty)
        try cached.forEachBlockInFileOrder(of: RowList(rows), rowCount: rowCount) { inFileOrder += $0.numbersOrEmpty }
        XCTAssertEqual(inFileOrder, try memory.values(at: rows.sorted()).numbersOrEmpty)
        var all = [Double]()
        try cached.forEachBlockInFileOrder(of: nil, rowCount: rowCount) { all += $0.numbersOrEmpty }
        XCTAssertEqual(all, try memory.whole().numbers)
    }

    func testACacheCutShortWhileTheTargetIsReadIsAnErrorNotWrongNumbers() throws {
        let folder = temporaryFolder(self)
        let (_, cached, rowCount) = try bothTargets(target: "q", rows: 2_000, in: folder)
        let path = folder.appendingPathComponent("data.csv.bpcache").path
        // The target column comes first in the file: cut the file inside it, after it was opened and checked.
        XCTAssertEqual(truncate(path, 32 + 8 * 1_000), 0)
        for read in [{ _ = try cached.values(at: [1_500]) }, { _ = try cached.whole() },
                     { try cached.forEachBlockInFileOrder(of: nil, rowCount: rowCount) { _ in } }] {
            XCTAssertThrowsError(try read()) { error in
                let error = error as? BackpropError
                XCTAssertEqual(error?.category, .data)
                XCTAssertTrue(error?.message.contains("cut short while reading") ?? false, "\(String(describing: error))")
            }
        }
    }

    func testARegressionTargetFromTheCacheGivesTheModelAndMetricsInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 3_000, in: folder)
        for batch in ["", #", "batch": 128"#] {
            func json(_ cache: Bool) -> String {
                """
                {"seed": 5, "stages": [
                  \(ingest(target: "q", cache: cache)),
                  {"stage": "split", "test_fraction": 0.2},
                  {"stage": "normalize", "standardize": ["a", "b"], "one_hot": ["label"]},
                  {"stage": "train", "hidden": [4], "epochs": 20, "learning_rate": 0.1, "output_activation": "identity",
                   "standardize_target": true\(batch)},
                  {"stage": "evaluate"}
                ]}
                """
            }
            let plain = try run(json(false), in: folder)
            _ = try run(json(true), in: folder)
            let cached = try run(json(true), in: folder)
            try assertSameWeights(cached.model, plain.model)
            XCTAssertEqual(cached.model?.training["target_scaling"], plain.model?.training["target_scaling"])
            let (a, b) = (try XCTUnwrap(plain.regressionEvaluation), try XCTUnwrap(cached.regressionEvaluation))
            XCTAssertEqual(a.rows, b.rows)
            // The baseline's training mean is summed in file order from the cache: equal to 1e-12.
            assertClose([b.meanSquaredError, b.meanAbsoluteError, b.rSquared, b.baselineMeanSquaredError],
                        [a.meanSquaredError, a.meanAbsoluteError, a.rSquared, a.baselineMeanSquaredError], tolerance: 1e-12, "metrics")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }

    func testATextTargetFromTheCacheGivesTheClassesModelAndMetricsInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 2_000, in: folder)
        for extra in [#", "positive_class": "no""#, #", "class_weight": "balanced""#] {
            func json(_ cache: Bool) -> String {
                """
                {"seed": 6, "stages": [
                  \(ingest(target: "label", cache: cache)),
                  {"stage": "split", "test_fraction": 0.25},
                  {"stage": "train", "hidden": [3], "epochs": 15, "learning_rate": 0.5\(extra)},
                  {"stage": "evaluate"}
                ]}
                """
            }
            let plain = try run(json(false), in: folder)
            _ = try run(json(true), in: folder)
            let cached = try run(json(true), in: folder)
            XCTAssertEqual(cached.model?.targetEncoding, plain.model?.targetEncoding)
            try assertSameWeights(cached.model, plain.model)
            let (a, b) = (try XCTUnwrap(plain.evaluation), try XCTUnwrap(cached.evaluation))
            XCTAssertEqual(b.majorityClass, a.majorityClass)
            XCTAssertEqual([b.truePositives, b.falsePositives, b.trueNegatives, b.falseNegatives],
                           [a.truePositives, a.falsePositives, a.trueNegatives, a.falseNegatives])
            assertClose(b.probabilities, a.probabilities, tolerance: 1e-12, "test probabilities")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }

    func testATargetThatDoesNotFitTheOutputIsRefusedFromTheCacheAsInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        for (target, train) in [("q", #""hidden": [2]"#), ("label", #""hidden": [2], "output_activation": "identity""#)] {
            func json(_ cache: Bool) -> String {
                #"{"stages": [\#(ingest(target: target, cache: cache)), {"stage": "train", \#(train), "epochs": 1, "learning_rate": 0.1}]}"#
            }
            let plain = try XCTUnwrap(expectFailure(runPipeline(json(false), in: folder)))
            _ = runPipeline(json(true), in: folder)
            let cached = try XCTUnwrap(expectFailure(runPipeline(json(true), in: folder)))
            XCTAssertEqual(cached.message, plain.message)
            XCTAssertEqual(cached.category, .data)
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }
}

private extension ColumnValues {
    var numbersOrEmpty: [Double] {
        if case .numeric(let numbers) = self { return numbers }
        return []
    }
}
