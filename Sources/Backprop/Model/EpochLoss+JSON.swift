import BackpropNumerics

extension EpochLoss {
    /// The record as `{"epoch": …, "loss": …}`.
    public var json: JSONValue {
        .object(["epoch": .number(Double(epoch)), "loss": .number(loss)])
    }
}
