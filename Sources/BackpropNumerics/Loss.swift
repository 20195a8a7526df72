import Glibc

/// What training minimises.
public enum Loss: String, CaseIterable, Codable, Sendable {
    /// Mean squared error. Reported as mean((y − t)²) over rows and outputs; its gradient is that
    /// of ½·mean, as in the reference's `error · f'(z)` error term.
    case meanSquaredError = "mse"
    /// Binary cross-entropy −[t·ln y + (1 − t)·ln(1 − y)], for a sigmoid output layer. Its output
    /// error term is y − t, computed without forming ln y, so it stays finite when y saturates.
    case binaryCrossEntropy = "binary_cross_entropy"

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
        }
    }

    /// The objective that training minimises and whose gradient `Backpropagation` computes:
    /// ½·Σ(y − t)² per row for MSE, the summed log-loss per row for cross-entropy, averaged over rows.
    public func objective(predictions y: Matrix, targets t: Matrix) -> Double {
        switch self {
        case .meanSquaredError: return value(predictions: y, targets: t) * Double(y.columns) / 2
        case .binaryCrossEntropy: return value(predictions: y, targets: t)
        }
    }

    /// −[t·ln p + (1 − t)·ln(1 − p)], with p clipped to [1e-15, 1 − 1e-15] so it stays finite.
    public static func logLoss(probability p: Double, target t: Double) -> Double {
        let clipped = min(max(p, 1e-15), 1 - 1e-15)
        return -(t * log(clipped) + (1 - t) * log(1 - clipped))
    }
}
