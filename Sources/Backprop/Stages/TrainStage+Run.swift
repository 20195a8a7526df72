import BackpropNumerics
import FoundationEssentials
import Glibc

extension TrainStage {
    /// Trains on the training rows (all rows when there is no split) and records the model.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        var rows = context.split?.train ?? Array(0..<data.rowCount)
        let inputs: Matrix, rawTargets: Matrix
        do {
            inputs = try data.featureMatrix()
            rawTargets = try data.targetMatrix()
        } catch let error as BackpropError {
            throw context.error(.data, error.message)
        }
        let classes = isMulticlass ? try classList(rawTargets.values, data: data, context: context) : nil
        if outputActivation == .sigmoid, let bad = rows.lazy.map({ rawTargets.values[$0] }).first(where: { !(0...1).contains($0) }) {
            throw context.error(.data, "target '\(data.target.name)' has the value \(bad); a sigmoid output predicts values from 0 to 1")
        }
        let allTargets = classes.map { Self.oneHot(rawTargets.values, classes: $0) } ?? rawTargets
        let sizes = [inputs.columns] + hidden + [classes?.count ?? 1]
        let layerActivations = activations + [outputActivation]
        let generator = RandomGenerator(seed: seed)
        var network = try initialNetwork(sizes: sizes, activations: layerActivations, generator: generator, context: context)

        // Validation rows: a seeded share of the training rows, drawn after the weights.
        var validationRows = [Int]()
        if validationFraction > 0 {
            let count = Int((validationFraction * Double(rows.count)).rounded())
            guard count >= 1, count < rows.count else {
                throw context.error(.data, "validation_fraction \(validationFraction) of \(rows.count) training rows leaves no validation or no training rows")
            }
            let held = Set(generator.shuffled(rows).prefix(count))
            validationRows = rows.filter(held.contains)
            rows = rows.filter { !held.contains($0) }
        }
        let validation = validationRows.isEmpty ? nil : (inputs: inputs.rows(at: validationRows), targets: allTargets.rows(at: validationRows))

        let configuration = TrainingConfiguration(
            epochs: epochs, learningRate: learningRate, batchSize: batchSize, loss: loss,
            optimizer: optimizer, l2: l2, patience: patience, precision: precision, threads: threads)
        var previous: Double?
        let log = context.log, progress = context.progress
        let history: TrainingHistory
        do {
            history = try Trainer(configuration: configuration).train(
                &network, inputs: inputs.rows(at: rows), targets: allTargets.rows(at: rows), validation: validation,
                generator: generator, onEpoch: progress.map { report in { report(TrainingProgress(epoch: $0, epochs: epochs)) } }
            ) { record in
                let rising = previous.map { $0 < record.loss } ?? false
                let validationText = record.validationLoss.map { "  validation loss: \($0)" } ?? ""
                log("Train loss: \(record.loss)" + validationText + (rising ? "  WARNING - Loss Increasing" : ""))
                previous = record.loss
            }
        } catch {
            guard case .nonFiniteLoss(let epoch) = error else {
                if case .unreadableRows(let message) = error { throw context.error(.data, "training rows: \(message); no model written") }
                throw error
            }
            throw context.error(.training, "the training loss became NaN or infinite at epoch \(epoch + 1); try a smaller learning_rate (now \(learningRate)); no model written")
        }
        if history.stoppedEarly, let best = history.bestEpoch {
            log("Early stop after epoch \(history.epochsRun): no validation improvement for \(patience!) epochs; kept the weights of epoch \(best + 1)")
        }
        for line in GradientReport.lines(history) { log(line) }
        context.trainingLosses = history.losses
        context.trainingHistory = history
        let model = TrainedModel(
            inputs: context.rawInputs, preprocessing: context.preprocessing, features: data.featureNames,
            target: data.target.name, network: network,
            training: trainingSummary(rows: rows.count, validationRows: validationRows.count, classes: classes, history: history))
        context.model = model
        if let modelURL {
            context.outputs.append(PendingOutput(label: "Model", url: modelURL, data: ModelFile.encode(model)))
        }
    }

    /// The sorted class codes of a multi-class target: whole numbers from 0, at least two.
    private func classList(_ values: [Double], data: Dataset, context: PipelineContext) throws -> [Double] {
        if let bad = values.first(where: { $0 < 0 || $0 != $0.rounded() }) {
            throw context.error(.data, "target '\(data.target.name)' has the value \(bad); a softmax output needs class codes 0, 1, 2, …")
        }
        let classes = Set(values).sorted()
        guard classes.count >= 2 else {
            throw context.error(.data, "target '\(data.target.name)' has \(classes.count) class; softmax needs at least 2")
        }
        return classes
    }

    /// One row per value, with a 1 in the column of its class.
    static func oneHot(_ values: [Double], classes: [Double]) -> Matrix {
        var matrix = Matrix(rows: values.count, columns: classes.count)
        let column = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        for (row, value) in values.enumerated() { matrix[row, column[value]!] = 1 }
        return matrix
    }

    private func initialNetwork(
        sizes: [Int], activations: [Activation], generator: RandomGenerator, context: PipelineContext
    ) throws -> Network {
        guard let initialWeights else {
            return Network(sizes: sizes, activations: activations, bias: bias, initialization: initialization, generator: generator)
        }
        for (index, matrix) in initialWeights.enumerated()
        where matrix.rows != sizes[index] || matrix.columns != sizes[index + 1] {
            throw context.error(.pipeline, "field 'initial_weights': layer \(index + 1) must be \(sizes[index])×\(sizes[index + 1]) ([inputs][outputs]), got \(matrix.rows)×\(matrix.columns)")
        }
        return Network(layers: zip(initialWeights, activations).map { weights, activation in
            DenseLayer(weights: weights, bias: bias ? Array(repeating: 0, count: weights.columns) : nil, activation: activation)
        })
    }

    private func trainingSummary(rows: Int, validationRows: Int, classes: [Double]?, history: TrainingHistory) -> [String: JSONValue] {
        func number(_ x: Int) -> JSONValue { .number(Double(x)) }
        var summary: [String: JSONValue] = [
            "hidden": .array(hidden.map(number)),
            "activation": Set(activations).count <= 1
                ? .string(activations.first?.rawValue ?? Activation.sigmoid.rawValue) : .array(activations.map { .string($0.rawValue) }),
            "output_activation": .string(outputActivation.rawValue),
            "loss": .string(loss.rawValue),
            "epochs": number(epochs),
            "epochs_run": number(history.epochsRun),
            "learning_rate": .number(learningRate),
            "optimizer": .string(optimizer.name),
            "batch": batchSize.map(number) ?? .string("full"),
            "bias": .bool(bias),
            "init": initialWeights != nil ? .string("explicit")
                : Set(initialization).count == 1 ? .string(initialization[0].rawValue) : .array(initialization.map { .string($0.rawValue) }),
            "l2": .number(l2),
            "seed": initialWeights == nil ? .number(Double(seed)) : .null,
            "training_rows": number(rows),
            "losses": .array(history.losses.map(\.json)),
            "precision": .string(precision.rawValue),
            "diagnostic_rows": number(history.diagnosticRows),
        ]
        if case .momentum(let beta) = optimizer { summary["momentum"] = .number(beta) }
        if validationRows > 0 {
            summary["validation_rows"] = number(validationRows)
            summary["validation_fraction"] = .number(validationFraction)
        }
        if let patience { summary["patience"] = number(patience) }
        if let best = history.bestEpoch { summary["best_epoch"] = number(best) }
        if let classes { summary["classes"] = .array(classes.map(JSONValue.number)) }
        return summary
    }
}
