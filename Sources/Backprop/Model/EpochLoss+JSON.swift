import BackpropNumerics

extension EpochLoss {
    /// The record as `{"epoch": …, "loss": …}`.
    public var json: JSONValue {
        .object(["epoch": .number(Double(epoch)), "loss": .number(loss)])
    }
}

extension TrainingHistory {
    /// The history as the report's `training` object: one record per recorded epoch with the
    /// training loss, the validation loss (or null) and the per-layer gradient norms.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "epochs_run": .number(Double(epochsRun)),
            "stopped_early": .bool(stoppedEarly),
            "records": .array(records.map { record in
                .object([
                    "epoch": .number(Double(record.epoch)),
                    "loss": .number(record.loss),
                    "validation_loss": record.validationLoss.map(JSONValue.number) ?? .null,
                    "gradient_norms": .array(record.gradientNorms.map(JSONValue.number)),
                ])
            }),
        ]
        if let bestEpoch { fields["best_epoch"] = .number(Double(bestEpoch)) }
        if let ratio = GradientReport.initialRatio(self) { fields["initial_first_to_last_gradient_ratio"] = .number(ratio) }
        return .object(fields)
    }
}
