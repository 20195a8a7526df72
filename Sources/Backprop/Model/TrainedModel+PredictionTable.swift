import BackpropNumerics
import FoundationEssentials

/// Predictions as a table: the columns `pipeline predict` prints and the evaluate stage's
/// `predictions` file holds after the row id (and the true target).
extension TrainedModel {
    /// The header of `predictionFields`: `predicted` then `p_CLASS` per class for a classifier
    /// (both classes for one sigmoid output); `predicted` for one quantity; else the output names.
    public var predictionHeader: [String] {
        if let classes = targetEncoding?.classes { return ["predicted"] + classes.map { "p_\($0)" } }
        return network.outputCount == 1 ? ["predicted"] : outputNames
    }

    /// One row of outputs as table fields: the predicted label and the probability of each
    /// class (1 − p and p for a sigmoid output) for a classifier; else the outputs (`%.17g`).
    public func predictionFields(_ outputs: [Double]) -> [String] {
        let number = { (x: Double) in cFormat("%.17g", x) }
        guard let encoding = targetEncoding else { return outputs.map(number) }
        let probabilities = outputs.count == 1 ? [1 - outputs[0], outputs[0]] : outputs
        return [encoding.label(of: outputs)] + probabilities.map(number)
    }
}
