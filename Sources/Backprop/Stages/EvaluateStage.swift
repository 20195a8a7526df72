import BackpropNumerics
import FoundationEssentials

/// Metrics of a binary classifier on the test rows.
public struct Evaluation: Equatable, Sendable {
    /// Number of test rows.
    public var rows: Int
    /// Share of rows whose prediction (probability > 0.5) equals the target.
    public var accuracy: Double
    /// The accuracy of always predicting the training rows' majority class.
    public var baselineAccuracy: Double
    /// The majority class of the training rows (0 or 1).
    public var majorityClass: Int
    /// Mean squared error of the probabilities.
    public var meanSquaredError: Double
    /// Mean log-loss of the probabilities (clipped to [1e-15, 1 − 1e-15]).
    public var logLoss: Double
    /// Counts of predicted versus actual classes.
    public var truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int
    /// The predicted probabilities, one per test row.
    public var probabilities: [Double]

    /// Computes the metrics.
    /// - Parameters:
    ///   - probabilities: predicted probabilities of class 1.
    ///   - targets: the 0/1 targets.
    ///   - majorityClass: the training rows' most common class.
    public init(probabilities: [Double], targets: [Double], majorityClass: Int) {
        precondition(probabilities.count == targets.count && !targets.isEmpty)
        rows = targets.count
        self.probabilities = probabilities
        self.majorityClass = majorityClass
        var (tp, fp, tn, fn) = (0, 0, 0, 0)
        var squared = 0.0, log = 0.0
        for (p, t) in zip(probabilities, targets) {
            switch (p > 0.5, t == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
            squared += (p - t) * (p - t)
            log += Loss.logLoss(probability: p, target: t)
        }
        (truePositives, falsePositives, trueNegatives, falseNegatives) = (tp, fp, tn, fn)
        let n = Double(rows)
        accuracy = Double(tp + tn) / n
        baselineAccuracy = Double(targets.filter { Int($0) == majorityClass }.count) / n
        meanSquaredError = squared / n
        logLoss = log / n
    }

    /// The metrics as the JSON report.
    public var json: JSONValue {
        func number(_ x: Double) -> JSONValue { .number(x) }
        func count(_ x: Int) -> JSONValue { .number(Double(x)) }
        return .object([
            "test_rows": count(rows),
            "accuracy": number(accuracy),
            "baseline_accuracy": number(baselineAccuracy),
            "majority_class": count(majorityClass),
            "mean_squared_error": number(meanSquaredError),
            "log_loss": number(logLoss),
            "confusion_matrix": .object([
                "true_positives": count(truePositives), "false_positives": count(falsePositives),
                "true_negatives": count(trueNegatives), "false_negatives": count(falseNegatives),
            ]),
        ])
    }
}

/// Scores the trained model on the test rows: accuracy at 0.5 beside the majority-class
/// baseline, mean squared error, log-loss and the confusion matrix; printed and saved as JSON.
public struct EvaluateStage: PipelineStage {
    /// `"evaluate"`.
    public static let kind = "evaluate"
    /// One line for help output.
    public static let summary = "score the model on the test rows and write a metrics report"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("report", "where to write the metrics as JSON, relative to the pipeline file (default: not written)"),
    ]

    let reportURL: URL?

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        reportURL = try p.optionalPath("report")
    }

    /// Evaluates the model.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        guard let model = context.model else { throw context.error(.pipeline, "no trained model yet; put a train stage before it") }
        guard let split = context.split else { throw context.error(.pipeline, "no test rows; put a split stage before train") }
        let targets: [Double]
        let probabilities: [Double]
        do {
            targets = try data.targetMatrix(rows: split.test).values
            probabilities = model.network.predict(try data.featureMatrix(rows: split.test)).values
        } catch let error as BackpropError {
            throw context.error(.data, error.message)
        }
        let trainTargets = try data.targetMatrix(rows: split.train).values
        for value in targets + trainTargets where value != 0 && value != 1 {
            throw context.error(.data, "target '\(data.target.name)' has the value \(value); accuracy needs 0/1 classes")
        }
        let positives = trainTargets.filter { $0 == 1 }.count
        let majority = positives * 2 > trainTargets.count ? 1 : 0
        let evaluation = Evaluation(probabilities: probabilities, targets: targets, majorityClass: majority)
        context.evaluation = evaluation
        context.log(cFormat("Prediction accuracy: %.3f", evaluation.accuracy))
        context.log(cFormat("Majority-class baseline: %.3f (always predicting %d)", evaluation.baselineAccuracy, majority))
        context.log(cFormat("Test MSE: %.6f  log-loss: %.6f  confusion [TP FP; FN TN]: [%d %d; %d %d]",
            evaluation.meanSquaredError, evaluation.logLoss, evaluation.truePositives, evaluation.falsePositives,
            evaluation.falseNegatives, evaluation.trueNegatives))
        if let reportURL {
            var report: [String: JSONValue] = ["format": .string("backprop-report"), "version": .number(1)]
            report["test"] = evaluation.json
            report["training_losses"] = .array(context.trainingLosses.map(\.json))
            context.outputs.append(PendingOutput(label: "Report", url: reportURL, data: Data(JSONWriter.serialize(.object(report)).utf8)))
        }
    }
}
