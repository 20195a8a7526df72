import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// Training spread over fake ranks (threads, `ThreadedProcessGroup`), each holding a slice of
/// the rows with their global row ids: the split, the model, the metrics and the predictions
/// equal a single process's, whatever the number of ranks and however unevenly the rows fall.
final class DistributedTrainingTests: XCTestCase {
    /// The reference run (explicit split, full batch, 900 epochs): 1e-9 in every weight at 2, 3
    /// and 4 ranks, one of them without test rows (rank 0 holds data rows 0…39, and the first
    /// test row is 48) and one without any row.
    func testReferenceRunGivesTheSingleProcessModelOnAnyNumberOfRanks() throws {
        let stages = """
            {"stage": "ingest", "path": "\(repositoryRoot.path)/data/admissions.csv", "target": "admit",
             "columns": ["gre", "gpa", "rank"], "categorical": ["rank"]},
            {"stage": "normalize", "standardize": ["gre", "gpa"], "one_hot": ["rank"]}
            SHARD
            \(try referenceStages(from: 2))
            """
        try assertSameRunOnRanks(stages, slicings: [[], [200], [40, 260], [0, 40, 41]], predictions: true)
    }

    /// A random split, mini-batches reshuffled every epoch, Adam, a validation share with early
    /// stopping, balanced class weights and a softmax output over three classes.
    func testMiniBatchesValidationAndClassWeightsGiveTheSingleProcessModel() throws {
        let stages = """
            {"stage": "ingest", "path": "\(repositoryRoot.path)/data/iris.csv", "target": "species"}
            SHARD
            {"stage": "split", "test_fraction": 0.2, "seed": 5},
            {"stage": "train", "hidden": [6], "activation": "tanh", "loss": "cross_entropy", "optimizer": "adam",
             "learning_rate": 0.01, "epochs": 60, "batch": 16, "validation_fraction": 0.2, "patience": 10,
             "class_weight": "balanced", "seed": 9},
            {"stage": "evaluate", "predictions": "OUT/predictions.csv", "report": "OUT/report.json"}
            """
        try assertSameRunOnRanks(stages, slicings: [[], [75], [20, 21, 130]], predictions: true)
    }

    /// A quantity (gpa from gre and rank) with a standardized target: regression metrics and the
    /// target's mean and standard deviation over every rank's training rows.
    func testRegressionWithStandardizedTargetGivesTheSingleProcessModel() throws {
        let stages = """
            {"stage": "ingest", "path": "\(repositoryRoot.path)/data/admissions.csv", "target": "gpa",
             "columns": ["gre", "rank"]},
            {"stage": "normalize", "standardize": ["gre", "rank"]}
            SHARD
            {"stage": "split", "test_fraction": 0.25, "seed": 2},
            {"stage": "train", "hidden": [3], "output_activation": "identity", "standardize_target": true,
             "learning_rate": 0.1, "epochs": 50, "seed": 4},
            {"stage": "evaluate", "predictions": "OUT/predictions.csv", "report": "OUT/report.json"}
            """
        try assertSameRunOnRanks(stages, slicings: [[], [123], [1, 300, 301]], predictions: true)
    }

    /// Cross-validation as the shipped admissions pipeline runs it (explicit rows, 5 stratified
    /// folds repeated twice): the folds are drawn over every rank's training rows, so each fold's
    /// metrics, the summary and the final model equal a single process's.
    func testShippedCrossValidationGivesTheSingleProcessFoldsAndModel() throws {
        let url = repositoryRoot.appendingPathComponent("pipelines/admissions.json")
        let top = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var split = (top["stages"] as! [[String: Any]])[1]
        split["seed"] = 7
        let stages = """
            {"stage": "ingest", "path": "\(repositoryRoot.path)/data/admissions.csv", "target": "admit",
             "columns": ["gre", "gpa", "rank"], "categorical": ["rank"]}
            SHARD
            \(String(decoding: try JSONSerialization.data(withJSONObject: split), as: UTF8.self)),
            {"stage": "normalize", "standardize": ["gre", "gpa"], "one_hot": ["rank"]},
            {"stage": "train", "hidden": [2], "learning_rate": 3, "epochs": 60, "seed": 3},
            {"stage": "evaluate", "predictions": "OUT/predictions.csv", "report": "OUT/report.json"}
            """
        try assertSameRunOnRanks(stages, slicings: [[], [200], [40, 260], [0, 40, 41]], predictions: true)
    }

    /// Folds alone (no rows held out for testing) and a random split with unstratified folds: the
    /// same folds on any number of ranks, uneven ones included.
    func testFoldsWithoutTestRowsAndUnstratifiedFoldsGiveTheSingleProcessRun() throws {
        for split in [#"{"stage": "split", "folds": 4, "seed": 2}"#,
                      #"{"stage": "split", "test_fraction": 0.2, "folds": 3, "repeats": 2, "stratify": false, "seed": 5}"#] {
            let stages = """
                {"stage": "ingest", "path": "\(repositoryRoot.path)/data/admissions.csv", "target": "admit"}
                SHARD
                \(split),
                {"stage": "normalize", "standardize": ["gre", "gpa", "rank"]},
                {"stage": "train", "hidden": [3], "learning_rate": 1, "epochs": 40, "seed": 1},
                {"stage": "evaluate", "report": "OUT/report.json"}
                """
            try assertSameRunOnRanks(stages, slicings: [[], [123], [1, 300, 301]], predictions: false)
        }
    }

    // MARK: - Helpers

    /// The stages of the reference pipeline from `index` on, as JSON text.
    private func referenceStages(from index: Int) throws -> String {
        let url = repositoryRoot.appendingPathComponent("pipelines/admissions-reference.json")
        let top = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var stages = Array((top["stages"] as! [[String: Any]])[index...])
        stages[stages.count - 2]["model"] = nil
        stages[stages.count - 1] = ["stage": "evaluate", "predictions": "OUT/predictions.csv", "report": "OUT/report.json"]
        let text = try stages.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return text.joined(separator: ",\n")
    }

    /// Runs `stages` on one process, then on fake jobs whose rank r holds data rows
    /// `ends[r-1]..<ends[r]` for each slicing, and compares. `SHARD` follows the stages that
    /// read the rows: each rank runs them alone on all rows, then keeps its slice.
    private func assertSameRunOnRanks(_ stages: String, slicings: [[Int]], predictions: Bool,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        var reference: (network: Network, report: [String: Any], predictions: String)?
        for ends in slicings {
            let results = runOnRanks(stages, ends: ends)
            var networks = [Network]()
            for result in results {
                let context = try result.get()
                networks.append(context.model!.network)
            }
            for network in networks.dropFirst() {
                XCTAssertEqual(network.layers.map(\.weights.values), networks[0].layers.map(\.weights.values), "every rank holds the same weights", file: file, line: line)
            }
            let leader = try results[0].get()
            let report = try JSONSerialization.jsonObject(with: leader.outputs.first { $0.label == "Report" }!.data) as! [String: Any]
            let csv = predictions ? String(decoding: leader.outputs.first { $0.label == "Predictions" }!.data, as: UTF8.self) : ""
            guard let reference else {
                reference = (networks[0], report, csv)
                continue
            }
            let what = "\(ends.count + 1) ranks split at \(ends)"
            for (mine, theirs) in zip(networks[0].layers, reference.network.layers) {
                assertClose(mine.weights.values, theirs.weights.values, tolerance: 1e-9, what, file: file, line: line)
                assertClose(mine.bias ?? [], theirs.bias ?? [], tolerance: 1e-9, what, file: file, line: line)
            }
            let crossValidation = report["cross_validation"] as? [String: Any]
            XCTAssertEqual(crossValidation == nil, reference.report["cross_validation"] == nil, "cross-validation in both or neither, \(what)", file: file, line: line)
            if let crossValidation, let expectedCV = reference.report["cross_validation"] as? [String: Any] {
                XCTAssertEqual(crossValidation["rows"] as? Int, expectedCV["rows"] as? Int, what, file: file, line: line)
                let (metrics, expectedMetrics) = (crossValidation["metrics"] as! [String: Any], expectedCV["metrics"] as! [String: Any])
                XCTAssertEqual(Set(metrics.keys), Set(expectedMetrics.keys), what, file: file, line: line)
                for (name, value) in expectedMetrics {
                    let (mine, theirs) = (metrics[name] as! [String: Any], value as! [String: Any])
                    let folds = (mine["folds"] as? [Any] ?? []).map { $0 as? Double ?? .nan }
                    let expectedFolds = (theirs["folds"] as? [Any] ?? []).map { $0 as? Double ?? .nan }
                    XCTAssertFalse(expectedFolds.isEmpty, "fold values of \(name)", file: file, line: line)
                    assertClose(folds.map { $0.isNaN ? -1 : $0 }, expectedFolds.map { $0.isNaN ? -1 : $0 }, tolerance: 1e-9, "\(name) per fold, \(what)", file: file, line: line)
                }
            }
            let (test, expected) = (report["test"] as? [String: Any] ?? [:], reference.report["test"] as? [String: Any] ?? [:])
            XCTAssertEqual(test["test_rows"] as? Int, expected["test_rows"] as? Int, what, file: file, line: line)
            for metric in ["accuracy", "roc_auc", "log_loss", "mean_squared_error", "r_squared", "cross_entropy"] {
                if let value = expected[metric] as? Double {
                    XCTAssertEqual(test[metric] as! Double, value, accuracy: 1e-9, "\(metric), \(what)", file: file, line: line)
                }
            }
            let (training, expectedTraining) = (report["training"] as! [String: Any], reference.report["training"] as! [String: Any])
            XCTAssertEqual(String(describing: training["epochs_run"]), String(describing: expectedTraining["epochs_run"]), what, file: file, line: line)
            XCTAssertEqual(csvRows(csv).map(\.first), csvRows(reference.predictions).map(\.first), "the same test rows in the same order, \(what)", file: file, line: line)
            for (mine, theirs) in zip(csvRows(csv), csvRows(reference.predictions)) {
                assertClose(mine.compactMap(Double.init), theirs.compactMap(Double.init), tolerance: 1e-9, what, file: file, line: line)
            }
        }
    }

    private func csvRows(_ text: String) -> [[String]] {
        text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    }

    private func assertClose(_ a: [Double], _ b: [Double], tolerance: Double, _ what: String, file: StaticString, line: UInt) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (x, y) in zip(a, b) where abs(x - y) > tolerance {
            XCTFail("\(x) vs \(y) differ by more than \(tolerance), \(what)", file: file, line: line)
            return
        }
    }

    /// Runs the pipeline on `ends.count + 1` fake ranks (one process as it is when `ends` is
    /// empty), writing into a fresh folder.
    private func runOnRanks(_ stages: String, ends: [Int]) -> [Result<PipelineContext, any Error>] {
        let folder = temporaryFolder(self)
        let parts = stages.components(separatedBy: "SHARD")
        let text = (ends.isEmpty
            ? "{\"stages\": [\(parts[0]),\(parts[1])]}"
            : "{\"stages\": [{\"stage\": \"test_shard\", \"ends\": \(ends), \"stages\": [\(parts[0])]},\(parts[1])]}")
            .replacingOccurrences(of: "OUT/", with: folder.path + "/")
        let file = write(text, to: "pipeline.json", in: folder)
        let contexts = ThreadedProcessGroup.run(ranks: ends.count + 1) { group in
            var registry = StageRegistry.standard
            registry.register(TestShardStage.self)
            return try Pipeline(contentsOf: file, registry: registry).run(log: { _ in }, group: group)
        }
        return contexts.map { $0.map { $0 } }
    }
}

extension PipelineContext: @unchecked Sendable {}

/// The rows a rank of a sharded ingest would hold: runs its `stages` (ingest, normalize) over
/// all rows in this rank alone, then keeps rank r's slice (data rows `ends[r-1]..<ends[r]`),
/// global row ids intact.
private struct TestShardStage: PipelineStage {
    static let kind = "test_shard"
    static let summary = "keeps this rank's slice of the rows"
    static let parameterHelp = [ParameterHelp("ends", "where each rank's rows end"), ParameterHelp("stages", "run first, on all rows")]
    static var combinesAcrossProcesses: Bool { true }
    let ends: [Int]
    let prefix: Pipeline

    init(parameters p: inout StageParameters) throws {
        ends = try p.integers("ends", minimum: 0) ?? []
        let stages = JSONWriter.serialize(.object(["stages": p.value("stages")!]))
        prefix = try Pipeline(json: Data(stages.utf8), file: p.pipelineFile)
    }

    func run(_ context: inout PipelineContext) throws {
        let all = try prefix.run(log: { _ in })
        let data = try all.requireData()
        let rank = context.group.rank
        let start = rank == 0 ? 0 : ends[rank - 1], end = rank < ends.count ? ends[rank] : data.rowCount
        context.data = data.subset(Array(start..<end))
        (context.sourceCSV, context.missingMarkers, context.rawInputs, context.preprocessing)
            = (all.sourceCSV, all.missingMarkers, all.rawInputs, all.preprocessing)
    }
}
