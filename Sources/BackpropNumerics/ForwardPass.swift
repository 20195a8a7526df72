/// The pre-activations and activations of every layer for one batch, kept for backpropagation.
/// Its buffers are allocated once and reused across batches of the same size.
public struct ForwardPass: Sendable {
    /// Pre-activations `z = x · W (+ b)` per layer, batch × outputs.
    public private(set) var preActivations: [Matrix]
    /// Activations `a = f(z)` per layer, batch × outputs; the last is the network's output.
    public private(set) var activations: [Matrix]

    /// Allocates the buffers for `network` and a batch of `batchSize` rows.
    public init(network: Network, batchSize: Int) {
        preActivations = network.layers.map { Matrix(rows: batchSize, columns: $0.outputCount) }
        activations = preActivations
    }

    /// The batch size the buffers hold.
    public var batchSize: Int { activations[0].rows }

    /// Runs `inputs` (batch × network inputs) through `network`, layer by layer.
    public mutating func run(_ network: Network, inputs: Matrix) {
        precondition(inputs.rows == batchSize && inputs.columns == network.inputCount, "input shape")
        for (index, layer) in network.layers.enumerated() {
            let layerInput = index == 0 ? inputs : activations[index - 1]
            // z = x · W
            Matrix.multiply(layerInput, layer.weights, into: &preActivations[index])
            if let bias = layer.bias {
                for row in 0..<batchSize {
                    for column in 0..<layer.outputCount { preActivations[index][row, column] += bias[column] }
                }
            }
            // a = f(z)
            guard layer.activation.isElementwise else {
                Activation.softmaxRows(preActivations[index], into: &activations[index])
                continue
            }
            preActivations[index].values.withUnsafeBufferPointer { z in
                activations[index].values.withUnsafeMutableBufferPointer { a in layer.activation.apply(z, into: a) }
            }
        }
    }
}
