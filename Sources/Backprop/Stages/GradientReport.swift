import BackpropNumerics
import FoundationEssentials
import Glibc

/// Where a training stage is, for progress display.
public struct TrainingProgress: Sendable {
    /// Epochs done.
    public var epoch: Int
    /// Epochs planned.
    public var epochs: Int

    /// Creates a progress report.
    public init(epoch: Int, epochs: Int) {
        self.epoch = epoch
        self.epochs = epochs
    }
}

/// The printed summary of the gradient norms that training recorded, with a warning when the
/// layer nearest the input gets a vanishing share of the output layer's gradient.
public enum GradientReport {
    /// Below this ratio of the first layer's to the last layer's gradient norm after the first
    /// epoch, the gradient is called vanishing.
    public static let vanishingRatio = 0.01

    /// The lines: the norms at the first and last recorded epochs, and the warning if it applies.
    public static func lines(_ history: TrainingHistory) -> [String] {
        guard let first = history.records.first, let last = history.records.last, first.gradientNorms.count > 1 else { return [] }
        var lines = [first, last].uniqued(by: \.epoch).map { record in
            "Gradient norm by layer (input → output) after epoch \(record.epoch + 1): "
                + record.gradientNorms.map(format).joined(separator: " ")
        }
        if let ratio = initialRatio(history), ratio < vanishingRatio {
            lines.append(cFormat("WARNING - Vanishing gradient: after epoch 1, layer 1's gradient is %.2g%% of the output layer's; try relu or leaky_relu hidden layers with init he", ratio * 100))
        }
        return lines
    }

    /// ‖∂E/∂W₁‖ / ‖∂E/∂W_last‖ at the first recorded epoch (near the initial weights, before
    /// training has moved them), or nil without norms.
    public static func initialRatio(_ history: TrainingHistory) -> Double? {
        guard let norms = history.records.first?.gradientNorms, norms.count > 1, let last = norms.last, last > 0 else { return nil }
        return norms[0] / last
    }

    /// A norm in 3 significant digits.
    static func format(_ value: Double) -> String { cFormat("%.3g", value) }
}

extension Array {
    /// The elements whose `key` was not seen before, in order.
    func uniqued<Key: Hashable>(by key: (Element) -> Key) -> [Element] {
        var seen = Set<Key>()
        return filter { seen.insert(key($0)).inserted }
    }
}
