import Glibc

/// A network flattened for predicting one row at a time without allocating: every weight and
/// bias in one array, the layers run with plain loops into a small stack buffer.
///
/// For single rows of small networks this beats a BLAS call, whose setup costs more than the
/// arithmetic. It gives the same values as `Network.predict` up to rounding (the sums run in
/// the same order, without BLAS's blocking). The parameters live in buffers the instance owns,
/// so the hot loop touches no reference counts; it is immutable after `init`, hence Sendable.
public final class CompiledNetwork: @unchecked Sendable {
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

    /// The activations `run` knows: the elementwise ones and softmax. A layer with any other (a
    /// kind added later) makes `init` return nil, so callers fall back to `Network.predict`
    /// instead of computing something wrong.
    static let supported: Set<String> = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]

    /// The layers and the parameters, allocated in `init` and freed in `deinit`.
    private let layers: UnsafeMutableBufferPointer<Layer>
    private let parameters: UnsafeMutableBufferPointer<Double>
    /// The widest layer output, the size of each half of the scratch buffer.
    let widest: Int

    /// Number of inputs the network takes.
    public let inputCount: Int
    /// Number of outputs the network gives.
    public let outputCount: Int

    /// Flattens `network`; nil when a layer has an activation `run` does not know.
    public init?(_ network: Network) {
        var layers = [Layer]()
        var parameters = [Double]()
        for layer in network.layers {
            guard Self.supported.contains(layer.activation.rawValue) else { return nil }
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
        self.layers = .allocate(capacity: layers.count)
        _ = self.layers.initialize(from: layers)
        self.parameters = .allocate(capacity: max(parameters.count, 1))
        _ = self.parameters.initialize(from: parameters)
        self.widest = layers.map(\.outputs).max() ?? 0
        self.inputCount = network.inputCount
        self.outputCount = network.outputCount
    }

    deinit {
        layers.deallocate()
        parameters.deallocate()
    }

    /// Runs one row through the network.
    /// - Parameters:
    ///   - input: `inputCount` values.
    ///   - output: receives `outputCount` values.
    /// - Precondition: the buffers have those sizes.
    @inline(__always)
    public func run(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) {
        let layers = self.layers.baseAddress!, count = self.layers.count, p = parameters.baseAddress!
        let widest = self.widest
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * widest) { scratch in
            let halves = (scratch.baseAddress!, scratch.baseAddress! + widest)
            var source = input
            for index in 0..<count {
                let layer = layers[index]
                let target = index == count - 1 ? output : (index % 2 == 0 ? halves.0 : halves.1)
                let w = p + layer.weights
                // z_j = Σ_i x_i · W_ij (+ b_j): one output at a time, summed in a register over
                // the inputs in order (as BLAS does), then the activation. (Wrapping index
                // arithmetic: the offsets were laid out in `init` and cannot overflow.)
                let outputs = layer.outputs, inputs = layer.inputs, bias = layer.bias.map { p + $0 }
                @inline(__always) func z(_ j: Int) -> Double {
                    var z = 0.0
                    for i in 0..<inputs { z += source[i] * w[i &* outputs &+ j] }
                    if let bias { z += bias[j] }
                    return z
                }
                // The common activation gets its own loop, without a switch per unit.
                if layer.activation == .sigmoid {
                    for j in 0..<outputs { target[j] = logistic(z(j)) }
                } else if layer.activation == .softmax {
                    // As `Activation.softmaxRows`: the largest z subtracted before exp.
                    var largest = -Double.infinity
                    for j in 0..<outputs {
                        target[j] = z(j)
                        largest = max(largest, target[j])
                    }
                    var total = 0.0
                    for j in 0..<outputs {
                        target[j] = exp(target[j] - largest)
                        total += target[j]
                    }
                    for j in 0..<outputs { target[j] /= total }
                } else {
                    let activation = layer.activation
                    for j in 0..<outputs { target[j] = activation.apply(z(j)) }
                }
                source = UnsafePointer(target)
            }
        }
    }
}
