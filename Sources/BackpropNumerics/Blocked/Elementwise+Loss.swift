import Glibc

extension Elementwise {
    /// The summed loss of a block: Σ over rows of wᵢ · Lᵢ, where Lᵢ is the row's squared error
    /// summed over outputs (MSE) or its log-loss (both cross-entropies). Dividing by Σ wᵢ (times
    /// the output count for MSE) gives `Loss.value` (to rounding: the unweighted squared error is
    /// summed by the vector kernel in four interleaved partial sums).
    static func lossSum<Scalar: TrainingScalar>(
        _ loss: Loss, predictions y: UnsafePointer<Scalar>, targets t: UnsafePointer<Scalar>,
        rows: Int, columns: Int, weights: UnsafePointer<Double>?
    ) -> Double {
        @inline(__always) func term(_ i: Int) -> Double {
            let (p, target) = (Double(y[i]), Double(t[i]))
            switch loss {
            case .meanSquaredError: return (p - target) * (p - target)
            case .binaryCrossEntropy: return Loss.logLoss(probability: p, target: target)
            case .crossEntropy: return target != 0 ? -target * log(max(p, 1e-15)) : 0
            }
        }
        var total = 0.0
        guard let weights else {
            if loss == .meanSquaredError { return Scalar.squaredErrorSum(y, t, count: rows * columns) }
            for i in 0..<(rows * columns) { total += term(i) }
            return total
        }
        for row in 0..<rows {
            var rowTotal = 0.0
            for i in (row * columns)..<((row + 1) * columns) { rowTotal += term(i) }
            total += weights[row] * rowTotal
        }
        return total
    }

    /// The output layer's error term δ = ∂E/∂z for each row, times the row's weight: y − t when
    /// the loss pairs with the output activation (cross-entropy with sigmoid or softmax),
    /// otherwise ∂E/∂y through the activation's derivative.
    static func outputError<Scalar: TrainingScalar>(
        _ loss: Loss, activation: Activation, z: UnsafePointer<Scalar>, y: UnsafePointer<Scalar>,
        targets t: UnsafePointer<Scalar>, weights: UnsafePointer<Double>?,
        into delta: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int
    ) {
        let count = rows * columns
        Scalar.difference(y, t, into: delta, count: count)
        if loss.naturalOutputActivation != activation {
            switch loss {
            case .meanSquaredError: break
            case .binaryCrossEntropy: for i in 0..<count { delta[i] /= max(y[i] * (1 - y[i]), Scalar(1e-15)) }
            case .crossEntropy: for i in 0..<count { delta[i] = -t[i] / max(y[i], Scalar(1e-15)) }
            }
            multiplyByDerivative(activation, delta, z: z, a: y, rows: rows, columns: columns)
        }
        guard let weights else { return }
        for row in 0..<rows {
            let w = Scalar(weights[row])
            for i in (row * columns)..<((row + 1) * columns) { delta[i] *= w }
        }
    }
}
