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
    /// TP / (TP + FP); nil when nothing was predicted positive.
    public var precision: Double?
    /// TP / (TP + FN); nil when there are no positives.
    public var recall: Double?
    /// The harmonic mean of precision and recall; nil when either is nil or both are 0.
    public var f1: Double?
    /// The ROC curve of the probabilities and its area.
    public var roc: ROCCurve

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
        precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : nil
        recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : nil
        if let precision, let recall, precision + recall > 0 {
            f1 = 2 * precision * recall / (precision + recall)
        }
        roc = ROCCurve(scores: probabilities, targets: targets)
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
            "precision": precision.map(number) ?? .null,
            "recall": recall.map(number) ?? .null,
            "f1": f1.map(number) ?? .null,
            "roc_auc": roc.area.map(number) ?? .null,
            "roc_curve": .array(roc.points.map { .array([number($0.falsePositiveRate), number($0.truePositiveRate)]) }),
            "confusion_matrix": .object([
                "true_positives": count(truePositives), "false_positives": count(falsePositives),
                "true_negatives": count(trueNegatives), "false_negatives": count(falseNegatives),
            ]),
        ])
    }
}

/// Scores the trained model on the test rows: accuracy beside the majority-class baseline,
/// precision, recall, F1, ROC AUC (or per-class metrics for a softmax model), the confusion
/// matrix; printed, saved as JSON and drawn as SVG.
public struct EvaluateStage: PipelineStage {
    /// `"evaluate"`.
    public static let kind = "evaluate"
    /// One line for help output.
    public static let summary = "score the model on the test rows; write a metrics report and an SVG picture"
    /// True: over several processes, the metrics and predictions cover all processes' test rows.
    public static var combinesAcrossProcesses: Bool { true }
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("report", "where to write the metrics and training history as JSON, relative to the pipeline file (default: not written)"),
        ParameterHelp("plot", "where to write an SVG of the loss curves, per-layer gradient norms and ROC curve (default: not written)"),
        ParameterHelp("predictions", "where to write the test rows' predictions as CSV: row (0-based data row of the source file), the true target, the predicted label and one probability column per class, or the predicted value (default: not written)"),
    ]

    let reportURL: URL?
    let plotURL: URL?
    let predictionsURL: URL?

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        reportURL = try p.optionalPath("report")
        plotURL = try p.optionalPath("plot")
        predictionsURL = try p.optionalPath("predictions")
    }

    /// Evaluates the model.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        guard let model = context.model else { throw context.error(.pipeline, "no trained model yet; put a train stage before it") }
        guard let split = context.split else { throw context.error(.pipeline, "no test rows; put a split stage before train") }
        guard !split.testRows.isEmpty || (split.global?.testCount ?? 0) > 0 else {
            // Cross-validation over all rows: its metrics are the result.
            guard let crossValidation = context.crossValidation else { throw context.error(.pipeline, "no test rows") }
            context.log("No test rows held out: the cross-validation above is the estimate; the model is trained on all rows")
            writeOutputs(test: nil, crossValidation: crossValidation, model: model, &context)
            return
        }
        // A bad test row on one process stops every process before the rows are gathered.
        // The targets and labels of the test rows only; the training rows' targets are summed
        // a chunk at a time (no list of every row's target or label; from a cache, a block of
        // the file at a time, in file order).
        let target = try context.targetColumn()
        let testRows = split.test  // one copy of a narrow list, not one per use
        var (testLabels, targets, trained, outputs) = try context.rowGroup.agreeing { () throws -> ([String], [Double], TrainingTargets, Matrix) in
            let labels: [String], targets: [Double], outputs: Matrix
            var trained = TrainingTargets(classCount: model.network.outputCount)
            do {
                func codes(_ values: ColumnValues) throws -> [Double] {
                    guard let encoding = model.targetEncoding else {
                        guard case .numeric(let numbers) = values else {
                            throw BackpropError(.data, "target column '\(target.name)' is categorical; it must hold numbers")
                        }
                        return numbers
                    }
                    return encoding.codes(Column(name: target.name, values: values))
                }
                let testValues = try target.values(at: testRows)
                labels = OneHotTransform.labels(testValues)
                targets = try codes(testValues)
                try target.forEachBlockInFileOrder(of: split.trainRows, rowCount: data.rowCount) { trained.add(try codes($0)) }
                if let encoding = model.targetEncoding, let index = targets.firstIndex(where: { !$0.isFinite }) {
                    throw BackpropError(.data, "\(data.source): data row \(data.rowID(at: testRows[index]) + 1): target '\(target.name)' is \"\(labels[index])\", not one of the trained classes (\(encoding.classes.joined(separator: ", ")))")
                }
                outputs = testRows.isEmpty ? Matrix(rows: 0, columns: model.network.outputCount)
                    : try context.predictions(of: model.network, rows: testRows)
            } catch let error as BackpropError {
                throw context.error(.data, error.message)
            }
            return (labels, targets, trained, outputs)
        }
        var testRowIDs = testRows.map { data.rowID(at: $0) }
        if let global = split.global {
            // Several processes: every process gets all test rows, in global order, and the
            // training targets' counts and sums of all processes.
            let all = try TestRows(rowIDs: testRowIDs, labels: testLabels, targets: targets, outputs: outputs)
                .gathered(positions: global.test, count: global.testCount, group: context.rowGroup)
            (testRowIDs, testLabels, targets, outputs) = (all.rowIDs, all.labels, all.targets, all.outputs)
            trained = try trained.summed(over: context.rowGroup)
        }
        if let predictionsURL {
            var lines = [CSVText.line(["row", target.name] + model.predictionHeader)]
            for index in testRowIDs.indices {
                let values = (0..<outputs.columns).map { outputs[index, $0] }
                lines.append(CSVText.line([String(testRowIDs[index]), testLabels[index]] + model.predictionFields(values)))
            }
            context.outputs.append(PendingOutput(label: "Predictions", url: predictionsURL, data: Data((lines.joined(separator: "\n") + "\n").utf8)))
        }
        // The metrics as JSON are made only where they are used (a report, the side-by-side
        // line): the ROC curve's points take ~80 bytes per test row as JSON values.
        let test: () -> JSONValue
        if outputs.columns > 1 {
            test = try evaluateClasses(outputs, targets: targets, trained: trained, model: model, context: &context)
        } else if model.targetEncoding == nil, trained.nonBinary || targets.contains(where: { $0 != 0 && $0 != 1 }) {
            // A quantity, not a 0/1 class: regression metrics against the training mean.
            let evaluation = RegressionEvaluation(
                predictions: outputs.values, targets: targets, trainingMean: trained.sum / Double(trained.count))
            context.log(cFormat("Test MSE: %.6g  MAE: %.6g  R²: %.4f", evaluation.meanSquaredError,
                                evaluation.meanAbsoluteError, evaluation.rSquared))
            context.log(cFormat("Baseline MSE (always predicting the training mean): %.6g", evaluation.baselineMeanSquaredError))
            context.regressionEvaluation = evaluation
            test = { evaluation.json }
        } else {
            test = try evaluateBinary(outputs.values, targets: targets, trained: trained,
                                      classes: model.targetEncoding?.classes ?? ["0", "1"], context: &context)
        }
        if let crossValidation = context.crossValidation {
            let name = crossValidation.metric("accuracy") != nil ? "accuracy" : "r_squared"
            if case .object(let metrics) = test(), case .number(let value)? = metrics[name] {
                context.log("Side by side, \(name): test rows " + cFormat("%.3f", value)
                    + " | \(crossValidation.folds)-fold cross-validation on the training rows " + crossValidation.text(name))
            }
        }
        writeOutputs(test: reportURL == nil ? nil : test(), crossValidation: context.crossValidation, model: model, &context)
    }

    /// Queues the report and the plot, when asked for.
    private func writeOutputs(test: JSONValue?, crossValidation: CrossValidationSummary?, model: TrainedModel, _ context: inout PipelineContext) {
        if let reportURL {
            var report: [String: JSONValue] = ["format": .string("backprop-report"), "version": .number(1)]
            report["test"] = test ?? .null
            if let crossValidation { report["cross_validation"] = crossValidation.json }
            report["training_losses"] = .array(context.trainingLosses.map(\.json))
            if let history = context.trainingHistory { report["training"] = history.json }
            context.outputs.append(PendingOutput(label: "Report", url: reportURL, data: Data(JSONWriter.serialize(.object(report)).utf8)))
        }
        if let plotURL {
            let title = "\(model.target): \(context.pipelineName)"
            let svg = SVGReport.render(title: title, history: context.trainingHistory, evaluation: context.evaluation)
            context.outputs.append(PendingOutput(label: "Plot", url: plotURL, data: Data(svg.utf8)))
        }
    }

    private func evaluateBinary(_ probabilities: [Double], targets: [Double], trained: TrainingTargets, classes: [String], context: inout PipelineContext) throws -> () -> JSONValue {
        let majority = trained.positives * 2 > trained.count ? 1 : 0
        let evaluation = Evaluation(probabilities: probabilities, targets: targets, majorityClass: majority)
        context.evaluation = evaluation
        context.log(cFormat("Prediction accuracy: %.3f", evaluation.accuracy))
        context.log(cFormat("Majority-class baseline: %.3f (always predicting ", evaluation.baselineAccuracy) + classes[majority] + ")")
        context.log(cFormat("Test MSE: %.6f  log-loss: %.6f  confusion [TP FP; FN TN]: [%d %d; %d %d]",
            evaluation.meanSquaredError, evaluation.logLoss, evaluation.truePositives, evaluation.falsePositives,
            evaluation.falseNegatives, evaluation.trueNegatives))
        func text(_ x: Double?) -> String { x.map { cFormat("%.3f", $0) } ?? "n/a" }
        context.log("Precision: \(text(evaluation.precision))  recall: \(text(evaluation.recall))  F1: \(text(evaluation.f1))  ROC AUC: \(text(evaluation.roc.area))")
        return { evaluation.json }
    }

    private func evaluateClasses(_ probabilities: Matrix, targets: [Double], trained: TrainingTargets, model: TrainedModel, context: inout PipelineContext) throws -> () -> JSONValue {
        guard let labels = model.targetEncoding?.classes, labels.count == probabilities.columns else {
            throw context.error(.model, "the model has \(probabilities.columns) outputs but no class list to match")
        }
        // Positions 0, 1, … in output order; the labels name them.
        let classes = labels.indices.map(Double.init)
        let counts = trained.classCounts
        let majority = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        var evaluation = MulticlassEvaluation(probabilities: probabilities, targets: targets, classes: classes, majorityClass: majority)
        evaluation.labels = labels
        context.multiclassEvaluation = evaluation
        context.log(cFormat("Prediction accuracy: %.3f", evaluation.accuracy))
        context.log(cFormat("Majority-class baseline: %.3f (always predicting ", evaluation.baselineAccuracy) + labels[majority] + ")")
        context.log(cFormat("Test cross-entropy: %.6f  macro F1: ", evaluation.crossEntropy) + (evaluation.macroF1.map { cFormat("%.3f", $0) } ?? "n/a"))
        context.log("Confusion (rows actual, columns predicted; classes \(labels.joined(separator: ", "))): "
            + evaluation.confusion.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "; "))
        return { evaluation.json }
    }
}
