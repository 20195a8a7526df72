/// A network flattened for predicting one row at a time without allocating: every weight and
/// bias in one array, the layers run with plain loops into a small stack buffer.
///
/// For single rows of small networks this beats a BLAS call, whose setup costs more than the
/// arithmetic. It gives the same values as `Network.predict` up to rounding (the sums run in
/// the same order, without BLAS's blocking).
public struct CompiledNetwork: Sendable {
    /// One layer's place in `parameters`.
    struct Layer: Sendable {
        var inputs: Int
        var outputs: Int
        /// Offset of the [inputs][outputs] weights.
        var weights: Int
        /// Offset of the biases, or nil for a layer without biases.
        var bias: Int?
        var activation: Activation
    }

    /// The activations known to be elementwise. A layer with any other (a kind added later,
    /// such as one normalizing over the whole layer) makes `init` return nil, so callers fall
    /// back to `Network.predict` instead of computing something wrong.
    static let elementwise: Set<String> = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]

    let layers: [Layer]
    let parameters: [Double]
    /// The widest layer output, the size of each half of the scratch buffer.
    let widest: Int

    /// Number of inputs the network takes.
    public let inputCount: Int
    /// Number of outputs the network gives.
    public let outputCount: Int

    /// Flattens `network`; nil when a layer's activation is not elementwise.
    public init?(_ network: Network) {
        var layers = [Layer]()
        var parameters = [Double]()
        for layer in network.layers {
            guard Self.elementwise.contains(layer.activation.rawValue) else { return nil }
            let weights = parameters.count
            parameters.append(contentsOf: layer.weights.values)
            var bias: Int?
            if let values = layer.bias {
                bias = parameters.count
                parameters.append(contentsOf: values)
            }
            layers.append(Layer(
                inputs: layer.inputCount, outputs: layer.outputCount, weights: weights, bias: bias,
                activation: layer.activation))
        }
        self.layers = layers
        self.parameters = parameters
        self.widest = layers.map(\.outputs).max() ?? 0
        self.inputCount = network.inputCount
        self.outputCount = network.outputCount
    }

    /// Runs one row through the network.
    /// - Parameters:
    ///   - input: `inputCount` values.
    ///   - output: receives `outputCount` values.
    /// - Precondition: the buffers have those sizes.
    @inline(__always)
    public func run(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * widest) { scratch in
            let halves = (scratch.baseAddress!, scratch.baseAddress! + widest)
            parameters.withUnsafeBufferPointer { p in
                let p = p.baseAddress!
                var source = input
                for (index, layer) in layers.enumerated() {
                    let isLast = index == layers.count - 1
                    let target = isLast ? output : (index % 2 == 0 ? halves.0 : halves.1)
                    let w = p + layer.weights
                    // z = x · W (+ b), summed over the inputs in order as BLAS does
                    for j in 0..<layer.outputs { target[j] = 0 }
                    for i in 0..<layer.inputs {
                        let x = source[i]
                        let row = w + i * layer.outputs
                        for j in 0..<layer.outputs { target[j] += x * row[j] }
                    }
                    if let b = layer.bias {
                        for j in 0..<layer.outputs { target[j] += p[b + j] }
                    }
                    // a = f(z)
                    let activation = layer.activation
                    for j in 0..<layer.outputs { target[j] = activation.apply(target[j]) }
                    source = UnsafePointer(target)
                }
            }
        }
    }
}
