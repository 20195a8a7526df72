extension BlockWorkspace {
    /// Forward: every layer's z = x · W (+ b) and a = f(z) for the first `rows` rows loaded.
    func forward(_ network: ScalarNetwork<Scalar>, rows: Int) {
        for (index, layer) in network.layers.enumerated() {
            let layerInput = index == 0 ? UnsafePointer(inputs.baseAddress!) : UnsafePointer(activations[index - 1].baseAddress!)
            let z = preActivations[index].baseAddress!
            // z = x · W
            Scalar.multiply(layerInput, transposed: false, network.weights(index), transposed: false,
                            into: z, m: rows, n: layer.outputs, k: layer.inputs)
            if let bias = network.bias(index), layer.activation == .sigmoid {
                // z += b and a = f(z) in one pass over z.
                Scalar.biasLogistic(z, rows: rows, bias: bias.baseAddress!, columns: layer.outputs, into: activations[index].baseAddress!)
                continue
            }
            if let bias = network.bias(index) { Elementwise.addBias(z, rows: rows, bias: bias) }
            // a = f(z)
            Elementwise.activate(layer.activation, z: z, a: activations[index].baseAddress!, rows: rows, columns: layer.outputs)
        }
    }

    /// The block's summed (row-weighted) loss after `forward`.
    func lossSum(_ network: ScalarNetwork<Scalar>, rows: Int, loss: Loss, weighted: Bool) -> Double {
        let last = network.layers.count - 1
        return Elementwise.lossSum(
            loss, predictions: activations[last].baseAddress!, targets: targets.baseAddress!,
            rows: rows, columns: network.layers[last].outputs, weights: weighted ? UnsafePointer(rowWeights.baseAddress!) : nil)
    }

    /// Backward, after `forward`: the error terms of every layer, then `scale` · ∂(Σ wᵢLᵢ)/∂θ of
    /// the block into `gradient` (the flat layout of `ScalarNetwork`).
    func backward(
        _ network: ScalarNetwork<Scalar>, rows: Int, loss: Loss, weighted: Bool,
        scale: Scalar, into gradient: UnsafeMutablePointer<Scalar>
    ) {
        let last = network.layers.count - 1
        // Output error term, times each row's weight.
        Elementwise.outputError(
            loss, activation: network.layers[last].activation, z: preActivations[last].baseAddress!,
            y: activations[last].baseAddress!, targets: targets.baseAddress!,
            weights: weighted ? UnsafePointer(rowWeights.baseAddress!) : nil,
            into: errorTerms[last].baseAddress!, rows: rows, columns: network.layers[last].outputs)
        // Hidden error terms, from the output backwards: (δ_next · W_nextᵀ) · f'(z).
        for index in stride(from: last - 1, through: 0, by: -1) {
            let (layer, next) = (network.layers[index], network.layers[index + 1])
            if next.outputs == 1 && layer.outputs > 1 && layer.activation == .sigmoid {
                // δ_next (one column) times W_nextᵀ (one row) and f'(z), in one pass.
                Scalar.outerLogisticBackward(
                    errorTerms[index + 1].baseAddress!, stride: 1, network.weights(index + 1), stride: 1,
                    activations: activations[index].baseAddress!, into: errorTerms[index].baseAddress!, m: rows, n: layer.outputs)
                continue
            }
            Scalar.multiply(UnsafePointer(errorTerms[index + 1].baseAddress!), transposed: false,
                            network.weights(index + 1), transposed: true,
                            into: errorTerms[index].baseAddress!, m: rows, n: layer.outputs, k: next.outputs)
            Elementwise.multiplyByDerivative(
                layer.activation, errorTerms[index].baseAddress!, z: preActivations[index].baseAddress!,
                a: activations[index].baseAddress!, rows: rows, columns: layer.outputs)
        }
        // Accumulate: ∂E/∂W = scale · inputᵀ · δ, ∂E/∂b = scale · column sums of δ.
        for (index, layer) in network.layers.enumerated() {
            let layerInput = index == 0 ? UnsafePointer(inputs.baseAddress!) : UnsafePointer(activations[index - 1].baseAddress!)
            let delta = errorTerms[index].baseAddress!
            Scalar.multiply(layerInput, transposed: true, UnsafePointer(delta), transposed: false,
                            into: gradient + layer.weightOffset, m: layer.inputs, n: layer.outputs, k: rows, scale: scale)
            if let offset = layer.biasOffset {
                // Summed in double precision whatever the training precision.
                withUnsafeTemporaryAllocation(of: Double.self, capacity: layer.outputs) { sums in
                    Scalar.columnSums(delta, rows: rows, columns: layer.outputs, into: sums.baseAddress!)
                    for column in 0..<layer.outputs { gradient[offset + column] = Scalar(sums[column] * Double(scale)) }
                }
            }
        }
    }
}
