import BackpropNumerics

/// The metrics of a k-fold cross-validation: each metric's value on every fold, its mean and
/// sample standard deviation (n − 1, over all folds of all repeats).
public struct CrossValidationSummary: Equatable, Sendable {
    /// One metric over the folds.
    public struct Metric: Equatable, Sendable {
        /// Its name in reports (`accuracy`, `r_squared`, …).
        public var name: String
        /// Its value on each fold, in fold order (nil where undefined on that fold).
        public var values: [Double?]

        /// The defined values.
        public var defined: [Double] { values.compactMap { $0 } }
        /// The mean of the defined values (nil when none is).
        public var mean: Double? { defined.isEmpty ? nil : Statistics.mean(defined) }
        /// The sample standard deviation of the defined values (nil for fewer than two).
        public var standardDeviation: Double? {
            guard let mean, defined.count > 1 else { return nil }
            return Statistics.sampleStandardDeviation(defined, mean: mean)
        }
    }

    /// Folds per repeat.
    public var folds: Int
    /// How many times the folds were drawn.
    public var repeats: Int
    /// Whether the folds keep the class shares.
    public var stratified: Bool
    /// The rows the folds partition (the training rows of the split).
    public var rows: Int
    /// The metrics, in report order.
    public var metrics: [Metric]

    /// Collects the metrics of the evaluate stage of each fold's run.
    public init(folds: Int, repeats: Int, stratified: Bool, rows: Int, runs: [PipelineContext]) {
        self.folds = folds
        self.repeats = repeats
        self.stratified = stratified
        self.rows = rows
        let perRun = runs.map(Self.metrics(of:))
        let names = perRun.first?.map(\.0) ?? []
        metrics = names.map { name in
            Metric(name: name, values: perRun.map { run in run.first { $0.0 == name }?.1 ?? nil })
        }
    }

    /// The metrics one evaluate stage computed, by name.
    static func metrics(of context: PipelineContext) -> [(String, Double?)] {
        if let e = context.multiclassEvaluation {
            return [("accuracy", e.accuracy), ("baseline_accuracy", e.baselineAccuracy), ("cross_entropy", e.crossEntropy), ("macro_f1", e.macroF1)]
        }
        if let e = context.evaluation {
            return [("accuracy", e.accuracy), ("baseline_accuracy", e.baselineAccuracy), ("log_loss", e.logLoss), ("f1", e.f1), ("roc_auc", e.roc.area)]
        }
        if let e = context.regressionEvaluation {
            return [("r_squared", e.rSquared), ("mean_squared_error", e.meanSquaredError), ("mean_absolute_error", e.meanAbsoluteError),
                    ("baseline_mean_squared_error", e.baselineMeanSquaredError)]
        }
        return []
    }

    /// The metric called `name`.
    public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }

    /// "0.716 ± 0.041" for a metric (n/a where undefined).
    public func text(_ name: String) -> String {
        guard let metric = metric(name), let mean = metric.mean else { return "n/a" }
        return cFormat("%.3f", mean) + (metric.standardDeviation.map { cFormat(" ± %.3f", $0) } ?? "")
    }

    /// The lines a run prints: how the folds were made, then one line per metric with its folds.
    public var lines: [String] {
        let how = "\(folds) folds" + (repeats > 1 ? " × \(repeats) repeats" : "") + (stratified ? ", stratified," : "")
        var lines = ["Cross-validation: \(how) over \(rows) training rows (mean ± sd over \(folds * repeats) fits)"]
        for metric in metrics {
            let values = metric.values.map { $0.map { cFormat("%.3f", $0) } ?? "n/a" }.joined(separator: " ")
            lines.append("  \(metric.name): \(text(metric.name))  folds: \(values)")
        }
        return lines
    }

    /// The summary as JSON: the setup and, per metric, mean, sd and fold values.
    public var json: JSONValue {
        func optional(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        var byName = [String: JSONValue]()
        for metric in metrics {
            byName[metric.name] = .object([
                "mean": optional(metric.mean), "sd": optional(metric.standardDeviation),
                "folds": .array(metric.values.map(optional)),
            ])
        }
        return .object([
            "folds": .number(Double(folds)), "repeats": .number(Double(repeats)), "stratified": .bool(stratified),
            "rows": .number(Double(rows)), "metrics": .object(byName),
        ])
    }
}
