@testable import Backprop
import FoundationEssentials
import XCTest

/// Class weights: each training row's loss weighed by its class.
final class ClassWeightTests: XCTestCase {
    func testBalancedWeightsAreNOverClassesTimesClassCount() throws {
        let context = PipelineContext(log: { _ in })
        let encoding = TargetEncoding(classes: ["no", "yes"])
        // 3 of class 0, 1 of class 1: 4 / (2·3) and 4 / (2·1), as scikit-learn's compute_class_weight.
        let weights = try TrainStage.rowWeights(.balanced, codes: [0, 0, 1, 0], encoding: encoding, context: context)
        assertClose(weights, [2.0 / 3, 2.0 / 3, 2, 2.0 / 3], tolerance: 1e-15, "balanced")
        let mapped = try TrainStage.rowWeights(.map(["yes": 5]), codes: [0, 1], encoding: encoding, context: context)
        XCTAssertEqual(mapped, [1, 5])
        XCTAssertThrowsError(try TrainStage.rowWeights(.map(["maybe": 2]), codes: [0, 1], encoding: encoding, context: context)) {
            XCTAssertTrue("\($0)".contains("not a class of the target"), "\($0)")
        }
    }

    func testBalancedWeightsRaiseTheRecallOfARareClass() throws {
        let folder = temporaryFolder(self)
        // 1 row in 10 is rare (kind 1); x separates the classes only partly (overlapping ranges).
        let rows = (0..<200).map { i -> String in
            let rare = i % 10 == 0
            let x = (rare ? 0.8 : 0.0) + Double((i * 37) % 100) / 100
            return "\(rare ? 1 : 0),\(x)"
        }
        write("kind,x\n" + rows.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
        func recall(_ weight: String) throws -> Double {
            let context = try runPipeline("""
                {"seed": 4, "stages": [
                  {"stage": "ingest", "path": "data.csv", "target": "kind"},
                  {"stage": "split", "test_fraction": 0.3},
                  {"stage": "normalize", "standardize": ["x"]},
                  {"stage": "train", "hidden": [], "loss": "binary_cross_entropy", "epochs": 300, "learning_rate": 0.5\(weight)},
                  {"stage": "evaluate"}
                ]}
                """, in: folder).get()
            return try XCTUnwrap(context.evaluation?.recall)
        }
        let plain = try recall("")
        let balanced = try recall(#", "class_weight": "balanced""#)
        XCTAssertGreaterThan(balanced, plain, "weighing the rare class up finds more of it")
        XCTAssertGreaterThanOrEqual(balanced, 0.5)
    }
}
