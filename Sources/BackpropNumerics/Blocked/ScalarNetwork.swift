/// A network's parameters in the training precision, flat: layer after layer, its weights
/// ([inputs][outputs], row-major) then its biases. Gradient slots use the same layout.
final class ScalarNetwork<Scalar: TrainingScalar>: @unchecked Sendable {
    /// One layer's shape and where its parameters sit in the flat buffer.
    struct Layer {
        let inputs: Int
        let outputs: Int
        let activation: Activation
        let weightOffset: Int
        /// nil for a layer without biases.
        let biasOffset: Int?
    }

    /// The layers, input side first.
    let layers: [Layer]
    /// Weights and biases of all layers.
    let parameterCount: Int
    /// The parameters, refreshed from the double-precision network by `load`.
    let parameters: UnsafeMutableBufferPointer<Scalar>

    /// Lays out the parameters of networks shaped like `network`.
    init(shapeOf network: Network) {
        var layers = [Layer](), offset = 0
        for layer in network.layers {
            let weightOffset = offset
            offset += layer.inputCount * layer.outputCount
            let biasOffset = layer.bias == nil ? nil : offset
            offset += layer.bias?.count ?? 0
            layers.append(Layer(
                inputs: layer.inputCount, outputs: layer.outputCount, activation: layer.activation,
                weightOffset: weightOffset, biasOffset: biasOffset))
        }
        self.layers = layers
        parameterCount = offset
        parameters = .allocate(capacity: offset)
        parameters.initialize(repeating: 0)
    }

    deinit { parameters.deallocate() }

    /// Copies (and rounds, in single precision) the weights and biases of `network`.
    func load(_ network: Network) {
        for (layer, shape) in zip(network.layers, layers) {
            for (i, w) in layer.weights.values.enumerated() { parameters[shape.weightOffset + i] = Scalar(w) }
            if let bias = layer.bias, let offset = shape.biasOffset {
                for (i, b) in bias.enumerated() { parameters[offset + i] = Scalar(b) }
            }
        }
    }

    /// The weights of layer `index`.
    func weights(_ index: Int) -> UnsafePointer<Scalar> { UnsafePointer(parameters.baseAddress! + layers[index].weightOffset) }

    /// The biases of layer `index`, if it has any.
    func bias(_ index: Int) -> UnsafeBufferPointer<Scalar>? {
        layers[index].biasOffset.map { UnsafeBufferPointer(start: parameters.baseAddress! + $0, count: layers[index].outputs) }
    }
}
