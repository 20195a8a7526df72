import BackpropNumerics
import Glibc

/// Metrics of a classifier with several classes (a softmax output) on the test rows.
public struct MulticlassEvaluation: Equatable, Sendable {
    /// The class codes, in output-unit order.
    public var classes: [Double]
    /// The class labels, in output-unit order (default: the codes written as numbers).
    public var labels: [String]
    /// Number of test rows.
    public var rows: Int
    /// Share of rows whose most probable class is the target.
    public var accuracy: Double
    /// The accuracy of always predicting the training rows' most common class.
    public var baselineAccuracy: Double
    /// Mean cross-entropy −ln p(target) of the test rows (p clipped at 1e-15).
    public var crossEntropy: Double
    /// confusion[actual][predicted] counts, in class order.
    public var confusion: [[Int]]
    /// Per class: precision, recall and F1 (nil where undefined).
    public var precision: [Double?], recall: [Double?], f1: [Double?]
    /// The mean F1 over the classes where it is defined.
    public var macroF1: Double?

    /// Computes the metrics.
    /// - Parameters:
    ///   - probabilities: one row per test row, one column per class.
    ///   - targets: the class codes of the test rows.
    ///   - classes: the class codes, in output-unit order.
    ///   - majorityClass: the position in `classes` of the training rows' most common class.
    public init(probabilities: Matrix, targets: [Double], classes: [Double], majorityClass: Int) {
        precondition(probabilities.rows == targets.count && probabilities.columns == classes.count && !targets.isEmpty)
        self.classes = classes
        labels = classes.map(OneHotTransform.label(for:))
        rows = targets.count
        let position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var confusion = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
        var entropy = 0.0
        for row in 0..<rows {
            let actual = position[targets[row]]!
            var predicted = 0
            for column in 1..<classes.count where probabilities[row, column] > probabilities[row, predicted] { predicted = column }
            confusion[actual][predicted] += 1
            entropy -= Glibc.log(max(probabilities[row, actual], 1e-15))
        }
        self.confusion = confusion
        let n = Double(rows)
        accuracy = Double(classes.indices.map { confusion[$0][$0] }.reduce(0, +)) / n
        baselineAccuracy = Double(confusion[majorityClass].reduce(0, +)) / n
        crossEntropy = entropy / n
        precision = classes.indices.map { c in
            let predicted = confusion.map { $0[c] }.reduce(0, +)
            return predicted > 0 ? Double(confusion[c][c]) / Double(predicted) : nil
        }
        recall = classes.indices.map { c in
            let actual = confusion[c].reduce(0, +)
            return actual > 0 ? Double(confusion[c][c]) / Double(actual) : nil
        }
        f1 = zip(precision, recall).map { p, r in
            guard let p, let r, p + r > 0 else { return nil }
            return 2 * p * r / (p + r)
        }
        let defined = f1.compactMap { $0 }
        macroF1 = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }

    /// The metrics as the JSON report.
    public var json: JSONValue {
        func optional(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        return .object([
            "test_rows": .number(Double(rows)),
            "classes": .array(labels.map(JSONValue.string)),
            "accuracy": .number(accuracy),
            "baseline_accuracy": .number(baselineAccuracy),
            "cross_entropy": .number(crossEntropy),
            "confusion_matrix": .array(confusion.map { .array($0.map { .number(Double($0)) }) }),
            "precision": .array(precision.map(optional)),
            "recall": .array(recall.map(optional)),
            "f1": .array(f1.map(optional)),
            "macro_f1": optional(macroF1),
        ])
    }
}
