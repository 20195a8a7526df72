@testable import Backprop
import BackpropNumerics
import XCTest

/// Precision, recall, F1, ROC AUC and the multi-class metrics, against small cases worked by hand.
final class MetricsByHandTests: XCTestCase {
    func testROCAreaCountsOrderedPairs() {
        // Positives score 0.9 and 0.7, negatives 0.8 and 0.6: 3 of the 4 pairs are ordered.
        let roc = ROCCurve(scores: [0.9, 0.8, 0.7, 0.6], targets: [1, 0, 1, 0])
        XCTAssertEqual(roc.area!, 0.75, accuracy: 1e-15)
        XCTAssertEqual(roc.points.count, 5)
        XCTAssertEqual(roc.points.last!.falsePositiveRate, 1)
        XCTAssertEqual(roc.points.last!.truePositiveRate, 1)
    }

    func testROCTiesCountHalfAndOneClassHasNoArea() {
        XCTAssertEqual(ROCCurve(scores: [0.5, 0.5], targets: [1, 0]).area!, 0.5, accuracy: 1e-15)
        XCTAssertNil(ROCCurve(scores: [0.2, 0.9], targets: [1, 1]).area)
    }

    func testPrecisionRecallF1() {
        // Predicted positive (> 0.5): rows 0, 1, 2 → TP 2 (rows 0, 2), FP 1; FN 1 (row 3); TN 1.
        let e = Evaluation(probabilities: [0.9, 0.8, 0.6, 0.4, 0.1], targets: [1, 0, 1, 1, 0], majorityClass: 1)
        XCTAssertEqual(e.precision!, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(e.recall!, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(e.f1!, 2.0 / 3, accuracy: 1e-15)
        // Positives 0.9, 0.6, 0.4 against negatives 0.8, 0.1: ordered pairs 2 + 1 + 1 = 4 of 6.
        XCTAssertEqual(e.roc.area!, 4.0 / 6, accuracy: 1e-15)
    }

    func testNothingPredictedPositiveLeavesPrecisionUndefined() {
        let e = Evaluation(probabilities: [0.1, 0.2], targets: [1, 0], majorityClass: 0)
        XCTAssertNil(e.precision)
        XCTAssertEqual(e.recall, 0)
        XCTAssertNil(e.f1)
    }

    func testMulticlassConfusionAndF1() {
        // Rows: actual 0 → predicted 0; actual 1 → 1; actual 1 → 2; actual 2 → 2.
        let p = Matrix(rows: 4, columns: 3, values: [
            0.8, 0.1, 0.1,
            0.2, 0.5, 0.3,
            0.1, 0.3, 0.6,
            0.0, 0.1, 0.9,
        ])
        let e = MulticlassEvaluation(probabilities: p, targets: [0, 1, 1, 2], classes: [0, 1, 2], majorityClass: 1)
        XCTAssertEqual(e.confusion, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
        XCTAssertEqual(e.accuracy, 0.75)
        XCTAssertEqual(e.baselineAccuracy, 0.5)
        XCTAssertEqual(e.crossEntropy, -(log(0.8) + log(0.5) + log(0.3) + log(0.9)) / 4, accuracy: 1e-15)
        // Class 1: precision 1/1, recall 1/2, F1 2/3; class 2: precision 1/2, recall 1, F1 2/3.
        XCTAssertEqual(e.f1[1]!, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(e.f1[2]!, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(e.macroF1!, (1 + 2.0 / 3 + 2.0 / 3) / 3, accuracy: 1e-15)
    }
}
