/// One fully connected layer: `a = activation(x · weights + bias)`.
public struct DenseLayer: Equatable, Sendable {
    /// Weights as [inputs][outputs].
    public var weights: Matrix
    /// One bias per output, or nil for a layer without biases (as in the reference network).
    public var bias: [Double]?
    /// The elementwise nonlinearity applied to the layer's output.
    public var activation: Activation

    /// Number of inputs the layer takes.
    public var inputCount: Int { weights.rows }
    /// Number of outputs the layer gives.
    public var outputCount: Int { weights.columns }

    /// Creates a layer.
    /// - Precondition: `bias`, when given, has one value per output.
    public init(weights: Matrix, bias: [Double]?, activation: Activation) {
        precondition(bias == nil || bias!.count == weights.columns, "one bias per output")
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }
}

/// How a layer's initial weights are drawn.
public enum WeightInitialization: String, CaseIterable, Codable, Sendable {
    /// Normal with standard deviation 1/√inputs (the reference).
    case normal
    /// Xavier/Glorot normal: standard deviation √(2 / (inputs + outputs)).
    case xavier
    /// He normal: standard deviation √(2 / inputs), for ReLU layers.
    case he

    /// The standard deviation of the normal draw for a layer of this shape.
    public func standardDeviation(inputs: Int, outputs: Int) -> Double {
        switch self {
        case .normal: return 1 / Double(inputs).squareRoot()
        case .xavier: return (2 / Double(inputs + outputs)).squareRoot()
        case .he: return (2 / Double(inputs)).squareRoot()
        }
    }
}

/// A feed-forward network of dense layers.
public struct Network: Equatable, Sendable {
    /// The layers, input side first.
    public var layers: [DenseLayer]

    /// Creates a network from layers whose shapes chain.
    /// - Precondition: each layer takes as many inputs as the previous one gives outputs.
    public init(layers: [DenseLayer]) {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        for (previous, next) in zip(layers, layers.dropFirst()) {
            precondition(previous.outputCount == next.inputCount, "layer shapes do not chain")
        }
        self.layers = layers
    }

    /// Creates a network with weights drawn from `generator`.
    /// - Parameters:
    ///   - sizes: units per layer, inputs first: `[6, 2, 1]` is 6 inputs, 2 hidden, 1 output.
    ///   - activations: one activation per layer (`sizes.count − 1` of them).
    ///   - bias: whether layers have biases (drawn as zeros).
    ///   - initialization: one scheme per layer.
    ///   - generator: the seeded source of the draws; weights are drawn row by row, layer by layer.
    public init(
        sizes: [Int], activations: [Activation], bias: Bool,
        initialization: [WeightInitialization], generator: RandomGenerator
    ) {
        precondition(sizes.count >= 2 && activations.count == sizes.count - 1
            && initialization.count == sizes.count - 1, "one activation and initialization per layer")
        var layers = [DenseLayer]()
        for index in 0..<(sizes.count - 1) {
            let (inputs, outputs) = (sizes[index], sizes[index + 1])
            let sd = initialization[index].standardDeviation(inputs: inputs, outputs: outputs)
            var weights = Matrix(rows: inputs, columns: outputs)
            for i in weights.values.indices { weights.values[i] = generator.gaussian(standardDeviation: sd) }
            layers.append(DenseLayer(
                weights: weights, bias: bias ? Array(repeating: 0, count: outputs) : nil,
                activation: activations[index]))
        }
        self.init(layers: layers)
    }

    /// Number of inputs the network takes.
    public var inputCount: Int { layers[0].inputCount }
    /// Number of outputs the network gives.
    public var outputCount: Int { layers[layers.count - 1].outputCount }

    /// The network's outputs for each row of `inputs`.
    public func predict(_ inputs: Matrix) -> Matrix {
        var pass = ForwardPass(network: self, batchSize: inputs.rows)
        pass.run(self, inputs: inputs)
        return pass.activations[layers.count - 1]
    }
}
