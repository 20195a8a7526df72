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
        /// Offset of the weights, stored per output: [outputs][inputs], so that each unit's dot
        /// product reads consecutive values.
        var weights: Int
        /// Offset of the biases, or −1 for a layer without biases.
        var bias: Int
        var activation: Activation
    }

    /// The activations `run` knows: the elementwise ones and softmax. A layer with any other (a
    /// kind added later) makes `init` return nil, so callers fall back to `Network.predict`
    /// instead of computing something wrong.
    static let supported: Set<String> = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]

    /// The layers and the parameters, allocated in `init` and freed in `deinit`.
    /// (Plain pointers, never nil: the hot loop checks nothing before reading them.)
    private let layers: UnsafeMutablePointer<Layer>
    private let layerCount: Int
    private let parameters: UnsafeMutablePointer<Double>
    /// `ExpTable.values`, for `tableExp` in the sigmoid loop.
    private let expTable: UnsafeMutablePointer<Double>
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
            // [inputs][outputs] in the layer, [outputs][inputs] here.
            let (n, m) = (layer.inputCount, layer.outputCount), values = layer.weights.values
            for j in 0..<m { for i in 0..<n { parameters.append(values[i * m + j]) } }
            var bias = -1
            if let values = layer.bias {
                bias = parameters.count
                parameters.append(contentsOf: values)
            }
            layers.append(Layer(
                inputs: layer.inputCount, outputs: layer.outputCount, weights: weights, bias: bias,
                activation: layer.activation))
        }
        self.layers = .allocate(capacity: max(layers.count, 1))
        self.layers.initialize(from: layers, count: layers.count)
        self.layerCount = layers.count
        self.parameters = .allocate(capacity: max(parameters.count, 1))
        self.parameters.initialize(from: parameters, count: parameters.count)
        self.expTable = .allocate(capacity: ExpTable.values.count)
        self.expTable.initialize(from: ExpTable.values, count: ExpTable.values.count)
        self.widest = layers.map(\.outputs).max() ?? 0
        self.inputCount = network.inputCount
        self.outputCount = network.outputCount
    }

    deinit {
        layers.deallocate()
        parameters.deallocate()
        expTable.deallocate()
    }

    /// Number of values the `scratch` buffer of `run(_:into:scratch:)` holds: two layer outputs.
    public var scratchCount: Int { 2 * widest }

    /// Runs one row through the network.
    /// - Parameters:
    ///   - input: `inputCount` values.
    ///   - output: receives `outputCount` values.
    /// - Precondition: the buffers have those sizes.
    public func run(_ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { scratch in
            runLayers(input, into: output, scratch: scratch.baseAddress!, half: widest)
        }
    }

    /// Runs one row through the network, with `scratchCount` values of `scratch` for the hidden
    /// layers (the caller's, so that a row costs no allocation at all).
    public func run(
        _ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
    ) {
        runLayers(input, into: output, scratch: scratch, half: widest)
    }

    /// `run` with `scratch` holding two rows of `half` values each, at least `widest`.
    @inline(__always)
    private func runLayers(
        _ input: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>,
        scratch: UnsafeMutablePointer<Double>, half: Int
    ) {
        let layers = self.layers, count = layerCount, p = parameters, table = UnsafePointer(expTable)
        var source = input
        for index in 0..<count {
            let layer = layers[index]
            let target = index == count - 1 ? output : scratch + (index & 1) &* half
            let w = p + layer.weights
            // z_j = Σ_i x_i · W_ij (+ b_j): one output at a time, summed in a register over
            // the inputs in order (as BLAS does), then the activation. (Wrapping index
            // arithmetic: the offsets were laid out in `init` and cannot overflow.)
            let outputs = layer.outputs, inputs = layer.inputs, bias = layer.bias
            @inline(__always) func z(_ j: Int) -> Double {
                let row = w + j &* inputs
                var z = 0.0
                // Two terms a step (in order): tiny layers spend less on loop set-up than with
                // the compiler's four-way unrolling and its remainder loop.
                var i = 0
                while i &+ 1 < inputs {
                    z += source[i] * row[i]
                    z += source[i &+ 1] * row[i &+ 1]
                    i &+= 2
                }
                if i < inputs { z += source[i] * row[i] }
                if bias >= 0 { z += p[bias &+ j] }
                return z
            }
            // The common activation gets its own loop, without a switch per unit, and an inlined
            // e^x (`tableExp`, within 1e-15 of glibc's) instead of a call to the C library.
            switch layer.activation {
            case .sigmoid:
                var j = 0
                while j < outputs { target[j] = 1 / (1 + tableExp(-z(j), table: table)); j &+= 1 }
            case .softmax:
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
            case let activation:
                for j in 0..<outputs { target[j] = activation.apply(z(j)) }
            }
            source = UnsafePointer(target)
        }
    }
}
