/// The gradient of the loss with respect to every weight and bias of a network.
public struct Gradients: Equatable, Sendable {
    /// ∂E/∂W per layer, [inputs][outputs] like the weights.
    public var weights: [Matrix]
    /// ∂E/∂b per layer, or nil for a layer without biases.
    public var bias: [[Double]?]

    /// Zero gradients shaped like `network`.
    public init(zerosLike network: Network) {
        weights = network.layers.map { Matrix(rows: $0.inputCount, columns: $0.outputCount) }
        bias = network.layers.map { $0.bias.map { Array(repeating: 0, count: $0.count) } }
    }
}

/// Backpropagation for one batch: the error term of every layer, then the gradients.
///
/// The objective is the batch mean of the per-row loss (for MSE, ½·Σ(y − t)² per row, so the
/// output error term is the reference's `(y − t) · f'(z)`). Everything is matrix code: one
/// product per layer for the error terms and one per layer for the weight gradients.
public struct Backpropagation: Sendable {
    /// ∂E/∂z per layer (batch × outputs), scaled by the batch size.
    public private(set) var errorTerms: [Matrix]
    /// The gradients of the last `run`.
    public private(set) var gradients: Gradients

    /// Allocates the buffers for `network` and a batch of `batchSize` rows.
    public init(network: Network, batchSize: Int) {
        errorTerms = network.layers.map { Matrix(rows: batchSize, columns: $0.outputCount) }
        gradients = Gradients(zerosLike: network)
    }

    /// Computes the gradients of `loss` for the batch whose forward pass is `pass`.
    /// - Parameters:
    ///   - inputs: the batch's inputs (batch × network inputs), as given to `pass.run`.
    ///   - targets: the batch's targets (batch × network outputs).
    public mutating func run(
        _ network: Network, pass: ForwardPass, inputs: Matrix, targets: Matrix, loss: Loss
    ) {
        let last = network.layers.count - 1
        let batchSize = inputs.rows
        precondition(targets.rows == batchSize && targets.columns == network.outputCount, "target shape")

        // Output error term: y − t where the loss pairs with its output activation (cross-entropy
        // with sigmoid or softmax); otherwise ∂E/∂y through the activation's derivative.
        let output = pass.activations[last], z = pass.preActivations[last]
        let outputActivation = network.layers[last].activation
        let paired = loss.naturalOutputActivation == outputActivation
        errorTerms[last].values.withUnsafeMutableBufferPointer { delta in
            output.values.withUnsafeBufferPointer { y in
                targets.values.withUnsafeBufferPointer { t in
                    for i in 0..<delta.count { delta[i] = y[i] - t[i] }
                    guard !paired else { return }
                    switch loss {
                    case .meanSquaredError: break
                    case .binaryCrossEntropy: for i in 0..<delta.count { delta[i] /= max(y[i] * (1 - y[i]), 1e-15) }
                    case .crossEntropy: for i in 0..<delta.count { delta[i] = -t[i] / max(y[i], 1e-15) }
                    }
                }
            }
        }
        if !paired { Self.throughActivation(&errorTerms[last], outputActivation, z: z, a: output) }

        // Hidden error terms, from the output backwards: (δ_next · W_nextᵀ) · f'(z).
        if last > 0 {
            for index in stride(from: last - 1, through: 0, by: -1) {
                Matrix.multiply(
                    errorTerms[index + 1], transposed: false, network.layers[index + 1].weights, transposed: true,
                    into: &errorTerms[index])
                Self.throughActivation(
                    &errorTerms[index], network.layers[index].activation,
                    z: pass.preActivations[index], a: pass.activations[index])
            }
        }

        // Accumulate: ∂E/∂W = inputᵀ · δ / batch, ∂E/∂b = column sums of δ / batch.
        let scale = 1 / Double(batchSize)
        for index in 0...last {
            let layerInput = index == 0 ? inputs : pass.activations[index - 1]
            Matrix.multiply(
                layerInput, transposed: true, errorTerms[index],
                into: &gradients.weights[index], scale: scale)
            if gradients.bias[index] != nil {
                let delta = errorTerms[index]
                var sums = Array(repeating: 0.0, count: delta.columns)
                for row in 0..<delta.rows {
                    for column in 0..<delta.columns { sums[column] += delta[row, column] }
                }
                gradients.bias[index] = sums.map { $0 * scale }
            }
        }
    }
}

extension Backpropagation {
    /// Turns ∂E/∂a into ∂E/∂z in place: times f'(z) elementwise, or softmax's Jacobian by rows.
    @inline(__always)
    static func throughActivation(_ delta: inout Matrix, _ activation: Activation, z: Matrix, a: Matrix) {
        guard activation.isElementwise else {
            Activation.softmaxBackward(&delta, activations: a)
            return
        }
        delta.values.withUnsafeMutableBufferPointer { delta in
            z.values.withUnsafeBufferPointer { z in
                a.values.withUnsafeBufferPointer { a in activation.multiplyByDerivative(delta, z: z, a: a) }
            }
        }
    }
}

extension Network {
    /// The loss and its gradients for `inputs` and `targets` (a convenience over the buffers of
    /// `ForwardPass` and `Backpropagation`, used by checks and tests).
    public func gradients(inputs: Matrix, targets: Matrix, loss: Loss) -> (loss: Double, gradients: Gradients) {
        var pass = ForwardPass(network: self, batchSize: inputs.rows)
        pass.run(self, inputs: inputs)
        var backward = Backpropagation(network: self, batchSize: inputs.rows)
        backward.run(self, pass: pass, inputs: inputs, targets: targets, loss: loss)
        return (loss.value(predictions: pass.activations[layers.count - 1], targets: targets), backward.gradients)
    }
}
