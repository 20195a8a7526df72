import BackpropNumerics
import FoundationEssentials

/// Trains a feed-forward network on the training rows and saves it, with the fitted
/// preprocessing, as a model file.
public struct TrainStage: PipelineStage {
    /// `"train"`.
    public static let kind = "train"
    /// One line for help output.
    public static let summary = "train a feed-forward network by backpropagation"
    /// True: over several processes, each trains on its rows and the gradients are summed.
    public static var combinesAcrossProcesses: Bool { true }
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("hidden", "units per hidden layer, e.g. [2] or [8, 4] (required; [] for none)"),
        ParameterHelp("activation", "hidden-layer activation, one name or one per hidden layer: sigmoid, tanh, relu, leaky_relu, identity (default sigmoid)"),
        ParameterHelp("output_activation", "output-layer activation: sigmoid, identity, … or softmax for several classes (default sigmoid; softmax with cross_entropy)"),
        ParameterHelp("loss", "mse, binary_cross_entropy (sigmoid output) or cross_entropy (softmax output, classes 0, 1, 2, …) (default mse)"),
        ParameterHelp("epochs", "passes over the training rows (required)"),
        ParameterHelp("learning_rate", "step size (required)"),
        ParameterHelp("optimizer", "gd (plain gradient descent, default), momentum or adam (β1 0.9, β2 0.999, ε 1e-8)"),
        ParameterHelp("momentum", "β of the momentum optimizer (default 0.9)"),
        ParameterHelp("batch", "\"full\" (default: one update per epoch from all rows) or a mini-batch size (rows shuffled each epoch)"),
        ParameterHelp("bias", "whether layers have biases (default true; the reference network has none)"),
        ParameterHelp("init", "weight initialization, one name or one per layer: normal (1/√inputs, default), xavier or he"),
        ParameterHelp("l2", "L2 penalty λ on the weights, objective + λ/2·Σw² (default 0)"),
        ParameterHelp("validation_fraction", "share of the training rows held out to measure a validation loss (default 0: none)"),
        ParameterHelp("patience", "stop when the validation loss has not improved for this many epochs, keeping the best weights (default: never; needs validation_fraction)"),
        ParameterHelp("precision", "float64 (default) or float32: float32 work buffers and sgemm, half the memory; the model's weights stay doubles"),
        ParameterHelp("threads", "worker threads for batches of more than 4,096 rows (default: one per processor); results do not depend on it"),
        ParameterHelp("seed", "seed of the weight draws, validation rows and shuffles (default: derived from the pipeline's seed)"),
        ParameterHelp("initial_weights", "explicit starting weights, one [inputs][outputs] matrix per layer, instead of random ones"),
        ParameterHelp("model", "where to write the model file, relative to the pipeline file (default: not written)"),
        ParameterHelp("positive_class", "for a sigmoid output and a two-class target (text, or numbers such as 1/2): the class whose probability it predicts (default: the second in sorted order)"),
        ParameterHelp("class_weight", "weigh each training row's loss by its class: \"balanced\" (n / (classes · rows of the class), as scikit-learn) or an object {class label: weight} (default: every row 1)"),
        ParameterHelp("standardize_target", "for an identity output: train on (target − mean) / sd of the training rows, predictions in the original units (default false)"),
    ]

    let hidden: [Int]
    let activations: [Activation]
    let outputActivation: Activation
    let loss: Loss
    let epochs: Int
    let learningRate: Double
    let optimizer: Optimizer
    let batchSize: Int?
    let bias: Bool
    let initialization: [WeightInitialization]
    let l2: Double
    let validationFraction: Double
    let patience: Int?
    let precision: Precision
    let threads: Int?
    let seed: UInt64
    let initialWeights: [Matrix]?
    let modelURL: URL?
    let positiveClass: String?
    let standardizeTarget: Bool
    let classWeight: ClassWeight?

    /// How rows are weighed by class.
    enum ClassWeight: Equatable {
        case balanced
        case map([String: Double])
    }

    /// Whether the network predicts one of several classes (a softmax output, one unit per class).
    var isMulticlass: Bool { outputActivation == .softmax }

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        guard let hidden = try p.integers("hidden", minimum: 1) else { throw p.error("missing (required)", field: "hidden") }
        guard hidden.count <= Limits.hiddenLayers, hidden.allSatisfy({ $0 <= Limits.layerUnits }) else {
            throw p.error("at most \(Limits.hiddenLayers) hidden layers of at most \(Limits.layerUnits) units each (docs/limits.md)", field: "hidden")
        }
        self.hidden = hidden
        loss = try Self.choice(&p, "loss", Loss.meanSquaredError)
        let hiddenChoices = Activation.allCases.filter(\.isElementwise)
        activations = try Self.perLayer(&p, "activation", count: hidden.count, default: .sigmoid, allowed: hiddenChoices)
        outputActivation = try Self.choice(&p, "output_activation", loss == .crossEntropy ? Activation.softmax : .sigmoid)
        if loss == .binaryCrossEntropy && outputActivation != .sigmoid {
            throw p.error("binary_cross_entropy needs a sigmoid output_activation", field: "loss")
        }
        if loss == .crossEntropy && outputActivation != .softmax {
            throw p.error("cross_entropy needs a softmax output_activation", field: "loss")
        }
        epochs = try p.integer("epochs", minimum: 1)
        guard epochs <= Limits.epochs else {
            throw p.error("expected at most \(Limits.epochs) epochs (docs/limits.md), got \(epochs)", field: "epochs")
        }
        learningRate = try p.number("learning_rate")
        guard learningRate > 0 else { throw p.error("expected a positive number, got \(learningRate)", field: "learning_rate") }
        switch try p.optionalString("optimizer") ?? "gd" {
        case "gd": optimizer = .gradientDescent
        case "momentum": optimizer = .momentum(beta: p.has("momentum") ? try p.number("momentum", in: 0...0.999999) : 0.9)
        case "adam": optimizer = .adam()
        case let other: throw p.error("expected one of gd, momentum, adam, got \"\(other)\"", field: "optimizer")
        }
        if optimizer.name != "momentum" && p.has("momentum") { throw p.error("only used with \"optimizer\": \"momentum\"", field: "momentum") }
        switch p.value("batch") {
        case nil, .string("full")?: batchSize = nil
        case .number?: batchSize = try p.integer("batch", minimum: 1)
        case let other?: throw p.error("expected \"full\" or a whole number, got \(other.shortDescription)", field: "batch")
        }
        bias = try p.bool("bias", default: true)
        initialization = try Self.perLayer(&p, "init", count: hidden.count + 1, default: .normal, allowed: WeightInitialization.allCases)
        l2 = p.has("l2") ? try p.number("l2", in: 0...1e6) : 0
        validationFraction = p.has("validation_fraction") ? try p.number("validation_fraction", in: 0...0.9) : 0
        if p.has("patience") {
            guard validationFraction > 0 else { throw p.error("needs a validation_fraction above 0 to measure improvement", field: "patience") }
            patience = try p.integer("patience", minimum: 1)
        } else {
            _ = p.value("patience")
            patience = nil
        }
        precision = try Self.choice(&p, "precision", Precision.float64)
        threads = p.has("threads") ? try p.integer("threads", minimum: 1) : nil
        if let threads, threads > 256 { throw p.error("expected at most 256 threads, got \(threads)", field: "threads") }
        if let value = p.value("initial_weights") {
            if p.has("seed") && validationFraction == 0 && batchSize == nil { throw p.error("has no use with initial_weights", field: "seed") }
            if p.has("init") { throw p.error("has no use with initial_weights", field: "init") }
            initialWeights = try Self.matrices(value, count: hidden.count + 1, p)
        } else {
            initialWeights = nil
        }
        seed = try p.seed()
        modelURL = try p.optionalPath("model")
        positiveClass = try p.optionalString("positive_class")
        if positiveClass != nil && outputActivation != .sigmoid {
            throw p.error("only used with a sigmoid output (two classes); a softmax output has one unit per class", field: "positive_class")
        }
        switch p.value("class_weight") {
        case nil: classWeight = nil
        case .string("balanced")?: classWeight = .balanced
        case .object(let map)?:
            var weights = [String: Double]()
            for (label, value) in map {
                guard case .number(let weight) = value, weight.isFinite, weight >= 0, weight <= 1e6 else {
                    throw p.error("class \"\(label)\": expected a weight from 0 to 1e6, got \(value.shortDescription)", field: "class_weight")
                }
                weights[label] = weight
            }
            classWeight = .map(weights)
        case let other?:
            throw p.error("expected \"balanced\" or an object {class label: weight}, got \(other.shortDescription)", field: "class_weight")
        }
        if classWeight != nil && !(outputActivation == .sigmoid || outputActivation == .softmax) {
            throw p.error("needs a class target: a sigmoid or softmax output", field: "class_weight")
        }
        standardizeTarget = try p.bool("standardize_target", default: false)
        if standardizeTarget && outputActivation != .identity {
            throw p.error("needs \"output_activation\": \"identity\" (a quantity target), got \(outputActivation.rawValue)", field: "standardize_target")
        }
    }

    private static func choice<T: RawRepresentable & CaseIterable>(
        _ p: inout StageParameters, _ field: String, _ defaultValue: T
    ) throws -> T where T.RawValue == String {
        guard let text = try p.optionalString(field) else { return defaultValue }
        guard let value = T(rawValue: text) else {
            throw p.error("expected one of \(T.allCases.map { $0.rawValue }.joined(separator: ", ")), got \"\(text)\"", field: field)
        }
        return value
    }

    /// One name for every layer, or an array of one name per layer.
    private static func perLayer<T: RawRepresentable>(
        _ p: inout StageParameters, _ field: String, count: Int, default defaultValue: T, allowed: [T]
    ) throws -> [T] where T.RawValue == String {
        let names = allowed.map(\.rawValue).joined(separator: ", ")
        func parse(_ value: JSONValue) throws -> T {
            guard case .string(let text) = value, let choice = T(rawValue: text), allowed.contains(where: { $0.rawValue == text }) else {
                throw p.error("expected one of \(names), got \(value.shortDescription)", field: field)
            }
            return choice
        }
        switch p.value(field) {
        case nil: return Array(repeating: defaultValue, count: count)
        case .array(let items)?:
            guard items.count == count else {
                throw p.error("expected \(count) names (one per \(field == "init" ? "layer, output included" : "hidden layer")), got \(items.count)", field: field)
            }
            return try items.map(parse)
        case let value?: return Array(repeating: try parse(value), count: count)
        }
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
}
