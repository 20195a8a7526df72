/// Metrics of a single-output model whose target is a quantity rather than a 0/1 class.
public struct RegressionEvaluation: Equatable, Sendable {
    /// Number of test rows.
    public var rows: Int
    /// Mean squared error.
    public var meanSquaredError: Double
    /// Mean absolute error.
    public var meanAbsoluteError: Double
    /// 1 − SSE / SST on the test rows (1 is perfect, 0 is no better than the test mean).
    public var rSquared: Double
    /// The mean squared error of always predicting the training rows' mean: the baseline.
    public var baselineMeanSquaredError: Double

    /// Computes the metrics.
    /// - Parameters:
    ///   - predictions: the model's outputs for the test rows.
    ///   - targets: the test rows' targets.
    ///   - trainingMean: the mean target of the training rows (the baseline's constant prediction).
    public init(predictions: [Double], targets: [Double], trainingMean: Double) {
        precondition(predictions.count == targets.count && !targets.isEmpty)
        rows = targets.count
        let n = Double(rows)
        let testMean = targets.reduce(0, +) / n
        var squared = 0.0, absolute = 0.0, total = 0.0, baseline = 0.0
        for (p, t) in zip(predictions, targets) {
            squared += (p - t) * (p - t)
            absolute += abs(p - t)
            total += (t - testMean) * (t - testMean)
            baseline += (trainingMean - t) * (trainingMean - t)
        }
        meanSquaredError = squared / n
        meanAbsoluteError = absolute / n
        rSquared = total > 0 ? 1 - squared / total : (squared == 0 ? 1 : 0)
        baselineMeanSquaredError = baseline / n
    }

    /// The metrics as the JSON report.
    public var json: JSONValue {
        .object([
            "kind": .string("regression"),
            "test_rows": .number(Double(rows)),
            "mean_squared_error": .number(meanSquaredError),
            "mean_absolute_error": .number(meanAbsoluteError),
            "r_squared": .number(rSquared),
            "baseline_mean_squared_error": .number(baselineMeanSquaredError),
        ])
    }
}
