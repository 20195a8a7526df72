/// The training loss after one epoch, on all training rows.
public struct EpochLoss: Equatable, Codable, Sendable {
    /// The 0-based epoch.
    public var epoch: Int
    /// The loss after that epoch's updates.
    public var loss: Double

    /// Creates a record.
    public init(epoch: Int, loss: Double) {
        self.epoch = epoch
        self.loss = loss
    }
}

/// Why training stopped before its last epoch.
public enum TrainingError: Error, Equatable, Sendable {
    /// The loss became NaN or infinite during `epoch` (0-based).
    case nonFiniteLoss(epoch: Int)
    /// The row source failed (a cache file cut short, a bad row weight): its message.
    case unreadableRows(String)
    /// Adding the partial sums of the processes of a distributed run failed: its message.
    case collectiveFailed(String)
}

/// Training of a `Network` by backpropagation over blocks of rows (see `BlockedBatch`): one
/// BLAS product per layer, block and direction, blocks spread over threads.
public struct Trainer {
    /// The configuration in force.
    public let configuration: TrainingConfiguration

    /// Creates a trainer.
    /// - Precondition: at least one epoch, a positive batch size when one is given.
    public init(configuration: TrainingConfiguration) {
        precondition(configuration.epochs > 0, "at least one epoch")
        precondition(configuration.batchSize.map { $0 > 0 } ?? true, "batch size must be positive")
        precondition(configuration.patience.map { $0 > 0 } ?? true, "patience must be positive")
        precondition(configuration.threads.map { $0 > 0 } ?? true, "thread count must be positive")
        precondition(configuration.blockRows > 0 && configuration.diagnosticRows > 0, "block and sample sizes must be positive")
        self.configuration = configuration
    }

    /// Trains `network` on `inputs` and `targets` (one row per record).
    /// - Parameters:
    ///   - generator: shuffles the rows each epoch for mini-batches; full-batch training draws nothing.
    ///   - onLoss: called with each recorded training loss, as training goes.
    /// - Returns: the recorded training losses.
    /// - Throws: `TrainingError.nonFiniteLoss` when the loss stops being finite.
    public func train(
        _ network: inout Network, inputs: Matrix, targets: Matrix,
        generator: RandomGenerator, onLoss: (EpochLoss) -> Void = { _ in }
    ) throws(TrainingError) -> [EpochLoss] {
        try train(&network, inputs: inputs, targets: targets, generator: generator) { record in
            onLoss(EpochLoss(epoch: record.epoch, loss: record.loss))
        }.losses
    }

    /// Trains `network` on rows held in matrices (see the row-source version).
    public func train(
        _ network: inout Network, inputs: Matrix, targets: Matrix,
        validation: (inputs: Matrix, targets: Matrix)? = nil,
        generator: RandomGenerator, onEpoch: ((Int) -> Void)? = nil,
        onRecord: (EpochRecord) -> Void
    ) throws(TrainingError) -> TrainingHistory {
        precondition(inputs.rows > 0 && targets.rows == inputs.rows, "one target row per input row")
        return try train(
            &network, rows: MatrixRows(inputs: inputs, targets: targets),
            validation: validation.map { MatrixRows(inputs: $0.inputs, targets: $0.targets) },
            generator: generator, onEpoch: onEpoch, onRecord: onRecord)
    }

    /// Trains `network` on the rows of `rows`, recording losses, validation losses and per-layer
    /// gradient norms.
    /// - Parameters:
    ///   - rows: the training rows, read a block at a time (never all at once).
    ///   - validation: held-out rows whose loss is recorded beside the training loss and, with
    ///     `configuration.patience`, stops training early (the best epoch's weights are kept).
    ///   - generator: shuffles the rows each epoch for mini-batches; full-batch training draws nothing.
    ///   - onEpoch: called after every epoch with the number of epochs done (for progress display).
    ///   - onRecord: called with each record, as training goes.
    /// - Returns: the history of the run.
    /// - Throws: `TrainingError.nonFiniteLoss` when the loss stops being finite,
    ///   `TrainingError.unreadableRows` when a source fails.
    ///   - shard: in a run over several processes, where `rows` (and `validation`) sit among all
    ///     processes' rows and how partial sums are added; nil for a process alone.
    public func train<Source: TrainingRowSource>(
        _ network: inout Network, rows: Source, validation: (any TrainingRowSource)? = nil,
        shard: TrainingShard? = nil,
        generator: RandomGenerator, onEpoch: ((Int) -> Void)? = nil,
        onRecord: (EpochRecord) -> Void
    ) throws(TrainingError) -> TrainingHistory {
        precondition(rows.rowCount > 0 || shard.map { $0.globalRowCount > 0 } == true, "training needs rows")
        precondition(shard.map { $0.globalPositions.count == rows.rowCount } ?? true, "a global position per local row")
        precondition(rows.inputWidth == network.inputCount && rows.targetWidth == network.outputCount, "rows fit the network")
        precondition(validation.map { $0.inputWidth == rows.inputWidth && $0.targetWidth == rows.targetWidth } ?? true, "validation rows fit the network")
        switch configuration.precision {
        case .float64:
            return try TrainingRun<Double>(self, network, rows, validation, shard).run(&network, generator, onEpoch, onRecord)
        case .float32:
            return try TrainingRun<Float>(self, network, rows, validation, shard).run(&network, generator, onEpoch, onRecord)
        }
    }
}

extension Network {
    /// Whether every weight and bias is finite.
    public var isFinite: Bool {
        layers.allSatisfy { layer in
            layer.weights.values.allSatisfy(\.isFinite) && (layer.bias ?? []).allSatisfy(\.isFinite)
        }
    }
}
