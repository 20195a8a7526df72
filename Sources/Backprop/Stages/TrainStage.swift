import BackpropNumerics
import FoundationEssentials

/// Trains a feed-forward network on the training rows and saves it, with the fitted
/// preprocessing, as a model file.
public struct TrainStage: PipelineStage {
    /// `"train"`.
    public static let kind = "train"
    /// One line for help output.
    public static let summary = "train a feed-forward network by backpropagation"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("hidden", "units per hidden layer, e.g. [2] or [8, 4] (required; [] for none)"),
        ParameterHelp("activation", "hidden-layer activation: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")) (default sigmoid)"),
        ParameterHelp("output_activation", "output-layer activation (default sigmoid)"),
        ParameterHelp("loss", "mse or binary_cross_entropy (default mse)"),
        ParameterHelp("epochs", "passes over the training rows (required)"),
        ParameterHelp("learning_rate", "gradient-descent step size (required)"),
        ParameterHelp("batch", "\"full\" (default: one update per epoch from all rows) or a mini-batch size"),
        ParameterHelp("bias", "whether layers have biases (default true; the reference network has none)"),
        ParameterHelp("init", "weight initialization: normal (1/√inputs, default), xavier or he"),
        ParameterHelp("seed", "seed of the weight draws and shuffles (default: derived from the pipeline's seed)"),
        ParameterHelp("initial_weights", "explicit starting weights, one [inputs][outputs] matrix per layer, instead of random ones"),
        ParameterHelp("model", "where to write the model file, relative to the pipeline file (default: not written)"),
    ]

    let hidden: [Int]
    let activation: Activation
    let outputActivation: Activation
    let loss: Loss
    let epochs: Int
    let learningRate: Double
    let batchSize: Int?
    let bias: Bool
    let initialization: WeightInitialization
    let seed: UInt64
    let initialWeights: [Matrix]?
    let modelURL: URL?

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        guard let hidden = try p.integers("hidden", minimum: 1) else { throw p.error("missing (required)", field: "hidden") }
        self.hidden = hidden
        func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ defaultValue: T) throws -> T where T.RawValue == String {
            guard let text = try p.optionalString(field) else { return defaultValue }
            guard let value = T(rawValue: text) else {
                throw p.error("expected one of \(T.allCases.map { $0.rawValue }.joined(separator: ", ")), got \"\(text)\"", field: field)
            }
            return value
        }
        activation = try choice("activation", Activation.sigmoid)
        outputActivation = try choice("output_activation", Activation.sigmoid)
        loss = try choice("loss", Loss.meanSquaredError)
        if loss == .binaryCrossEntropy && outputActivation != .sigmoid {
            throw p.error("binary_cross_entropy needs a sigmoid output_activation", field: "loss")
        }
        epochs = try p.integer("epochs", minimum: 1)
        learningRate = try p.number("learning_rate")
        guard learningRate > 0 else { throw p.error("expected a positive number, got \(learningRate)", field: "learning_rate") }
        switch p.value("batch") {
        case nil, .string("full")?: batchSize = nil
        case .number?: batchSize = try p.integer("batch", minimum: 1)
        case let other?: throw p.error("expected \"full\" or a whole number, got \(other.shortDescription)", field: "batch")
        }
        bias = try p.bool("bias", default: true)
        initialization = try choice("init", WeightInitialization.normal)
        if let value = p.value("initial_weights") {
            if p.has("seed") { throw p.error("has no use with initial_weights", field: "seed") }
            initialWeights = try Self.matrices(value, count: hidden.count + 1, p)
        } else {
            initialWeights = nil
        }
        seed = try p.seed()
        modelURL = try p.optionalPath("model")
    }

    private static func matrices(_ value: JSONValue, count: Int, _ p: StageParameters) throws -> [Matrix] {
        let field = "initial_weights"
        guard case .array(let layers) = value, layers.count == count else {
            throw p.error("expected \(count) matrices (one per layer, [inputs][outputs]), got \(value.shortDescription)", field: field)
        }
        return try layers.enumerated().map { index, layer in
            guard case .array(let rows) = layer else { throw p.error("layer \(index + 1): expected [inputs][outputs] numbers", field: field) }
            let nested = try rows.map { row -> [Double] in
                guard case .array(let cells) = row else { throw p.error("layer \(index + 1): expected [inputs][outputs] numbers", field: field) }
                return try cells.map {
                    guard case .number(let n) = $0, n.isFinite else { throw p.error("layer \(index + 1): expected numbers, got \($0.shortDescription)", field: field) }
                    return n
                }
            }
            guard let matrix = Matrix(nested) else { throw p.error("layer \(index + 1): rows differ in length", field: field) }
            return matrix
        }
    }

    /// Trains on the training rows (all rows when there is no split) and records the model.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        let rows = context.split?.train ?? Array(0..<data.rowCount)
        let inputs: Matrix, targets: Matrix
        do {
            inputs = try data.featureMatrix(rows: rows)
            targets = try data.targetMatrix(rows: rows)
        } catch let error as BackpropError {
            throw context.error(.data, error.message)
        }
        if outputActivation == .sigmoid, let bad = targets.values.first(where: { !(0...1).contains($0) }) {
            throw context.error(.data, "target '\(data.target.name)' has the value \(bad); a sigmoid output predicts values from 0 to 1")
        }
        let sizes = [inputs.columns] + hidden + [1]
        let activations = Array(repeating: activation, count: hidden.count) + [outputActivation]
        let generator = RandomGenerator(seed: seed)
        var network: Network
        if let initialWeights {
            for (index, matrix) in initialWeights.enumerated()
            where matrix.rows != sizes[index] || matrix.columns != sizes[index + 1] {
                throw context.error(.pipeline, "field 'initial_weights': layer \(index + 1) must be \(sizes[index])×\(sizes[index + 1]) ([inputs][outputs]), got \(matrix.rows)×\(matrix.columns)")
            }
            network = Network(layers: zip(initialWeights, activations).map { weights, activation in
                DenseLayer(weights: weights, bias: bias ? Array(repeating: 0, count: weights.columns) : nil, activation: activation)
            })
        } else {
            network = Network(
                sizes: sizes, activations: activations, bias: bias,
                initialization: Array(repeating: initialization, count: sizes.count - 1), generator: generator)
        }

        let configuration = TrainingConfiguration(epochs: epochs, learningRate: learningRate, batchSize: batchSize, loss: loss)
        var previous: Double?
        let log = context.log
        let losses: [EpochLoss]
        do {
            losses = try Trainer(configuration: configuration).train(
                &network, inputs: inputs, targets: targets, generator: generator
            ) { record in
                let rising = previous.map { $0 < record.loss } ?? false
                log("Train loss: \(record.loss)" + (rising ? "  WARNING - Loss Increasing" : ""))
                previous = record.loss
            }
        } catch {
            guard case .nonFiniteLoss(let epoch) = error else { throw error }
            throw context.error(.training, "the training loss became NaN or infinite at epoch \(epoch + 1); try a smaller learning_rate (now \(learningRate))")
        }
        context.trainingLosses = losses
        let model = TrainedModel(
            inputs: context.rawInputs, preprocessing: context.preprocessing, features: data.featureNames,
            target: data.target.name, network: network, training: trainingSummary(rows: rows.count, losses: losses))
        context.model = model
        if let modelURL {
            context.outputs.append(PendingOutput(label: "Model", url: modelURL, data: ModelFile.encode(model)))
        }
    }

    private func trainingSummary(rows: Int, losses: [EpochLoss]) -> [String: JSONValue] {
        [
            "hidden": .array(hidden.map { .number(Double($0)) }),
            "activation": .string(activation.rawValue),
            "output_activation": .string(outputActivation.rawValue),
            "loss": .string(loss.rawValue),
            "epochs": .number(Double(epochs)),
            "learning_rate": .number(learningRate),
            "batch": batchSize.map { .number(Double($0)) } ?? .string("full"),
            "bias": .bool(bias),
            "init": initialWeights == nil ? .string(initialization.rawValue) : .string("explicit"),
            "seed": initialWeights == nil ? .number(Double(seed)) : .null,
            "training_rows": .number(Double(rows)),
            "losses": .array(losses.map(\.json)),
        ]
    }
}
