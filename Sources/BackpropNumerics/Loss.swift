import Glibc

/// What training minimises.
public enum Loss: String, CaseIterable, Codable, Sendable {
    /// Mean squared error. Reported as mean((y − t)²) over rows and outputs; its gradient is that
    /// of ½·mean, as in the reference's `error · f'(z)` error term.
    case meanSquaredError = "mse"
    /// Binary cross-entropy −[t·ln y + (1 − t)·ln(1 − y)], for a sigmoid output layer. Its output
    /// error term is y − t, computed without forming ln y, so it stays finite when y saturates.
    case binaryCrossEntropy = "binary_cross_entropy"
    /// Categorical cross-entropy −Σ_j t_j·ln y_j per row, for a softmax output layer and one-hot
    /// targets. Its output error term is y − t, again without forming ln y.
    case crossEntropy = "cross_entropy"

    /// The loss of predictions `y` for targets `t` (same shape), averaged over rows.
    public func value(predictions y: Matrix, targets t: Matrix) -> Double {
        precondition(y.rows == t.rows && y.columns == t.columns, "predictions and targets differ in shape")
        guard y.rows > 0 else { return .nan }
        var total = 0.0
        switch self {
        case .meanSquaredError:
            for i in y.values.indices {
                let d = y.values[i] - t.values[i]
                total += d * d
            }
            return total / Double(y.values.count)
        case .binaryCrossEntropy:
            for i in y.values.indices {
                total += Loss.logLoss(probability: y.values[i], target: t.values[i])
            }
            return total / Double(y.rows)
        case .crossEntropy:
            for i in y.values.indices where t.values[i] != 0 {
                total -= t.values[i] * log(max(y.values[i], 1e-15))
            }
            return total / Double(y.rows)
        }
    }

    /// The output activation whose pairing with this loss gives the error term y − t, or nil
    /// when there is none (MSE).
    public var naturalOutputActivation: Activation? {
        switch self {
        case .meanSquaredError: return nil
        case .binaryCrossEntropy: return .sigmoid
        case .crossEntropy: return .softmax
        }
    }

    /// The objective that training minimises and whose gradient `Backpropagation` computes:
    /// ½·Σ(y − t)² per row for MSE, the summed log-loss per row for both cross-entropies, averaged over rows.
    public func objective(predictions y: Matrix, targets t: Matrix) -> Double {
        switch self {
        case .meanSquaredError: return value(predictions: y, targets: t) * Double(y.columns) / 2
        case .binaryCrossEntropy, .crossEntropy: return value(predictions: y, targets: t)
        }
    }

    /// −[t·ln p + (1 − t)·ln(1 − p)], with p clipped to [1e-15, 1 − 1e-15] so it stays finite.
    public static func logLoss(probability p: Double, target t: Double) -> Double {
        let clipped = min(max(p, 1e-15), 1 - 1e-15)
        return -(t * log(clipped) + (1 - t) * log(1 - clipped))
    }
}
