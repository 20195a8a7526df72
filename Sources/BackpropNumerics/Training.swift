/// How a network is trained.
public struct TrainingConfiguration: Sendable {
    /// Passes over the training rows.
    public var epochs: Int
    /// The step size of gradient descent.
    public var learningRate: Double
    /// Rows per update; nil for full-batch (one update per epoch from all rows, as the reference).
    public var batchSize: Int?
    /// What training minimises.
    public var loss: Loss
    /// How gradients become updates.
    public var optimizer: Optimizer
    /// The L2 penalty λ on the weights (the objective gains λ/2 · Σw²); 0 for none.
    public var l2: Double
    /// With validation rows: stop when the validation loss has not improved for this many
    /// epochs, and keep the weights of the best epoch. nil trains every epoch.
    public var patience: Int?

    /// Creates a configuration.
    public init(
        epochs: Int, learningRate: Double, batchSize: Int? = nil, loss: Loss = .meanSquaredError,
        optimizer: Optimizer = .gradientDescent, l2: Double = 0, patience: Int? = nil
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.loss = loss
        self.optimizer = optimizer
        self.l2 = l2
        self.patience = patience
    }

    /// Whether the training loss is recorded after `epoch` (0-based): every tenth of the run,
    /// at the epochs e with e mod (epochs / 10) = 0, as the reference does.
    public func recordsLoss(after epoch: Int) -> Bool {
        (10 * epoch) % epochs == 0
    }
}

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
}

/// Training of a `Network` by backpropagation, one BLAS product per layer per batch and direction.
public struct Trainer {
    /// The configuration in force.
    public let configuration: TrainingConfiguration

    /// Creates a trainer.
    /// - Precondition: at least one epoch, a positive batch size when one is given.
    public init(configuration: TrainingConfiguration) {
        precondition(configuration.epochs > 0, "at least one epoch")
        precondition(configuration.batchSize.map { $0 > 0 } ?? true, "batch size must be positive")
        precondition(configuration.patience.map { $0 > 0 } ?? true, "patience must be positive")
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

    /// Trains `network`, recording losses, validation losses and per-layer gradient norms.
    /// - Parameters:
    ///   - validation: held-out rows whose loss is recorded beside the training loss and, with
    ///     `configuration.patience`, stops training early (the best epoch's weights are kept).
    ///   - generator: shuffles the rows each epoch for mini-batches; full-batch training draws nothing.
    ///   - onEpoch: called after every epoch with the number of epochs done (for progress display).
    ///   - onRecord: called with each record, as training goes.
    /// - Returns: the history of the run.
    /// - Throws: `TrainingError.nonFiniteLoss` when the loss stops being finite.
    public func train(
        _ network: inout Network, inputs: Matrix, targets: Matrix,
        validation: (inputs: Matrix, targets: Matrix)? = nil,
        generator: RandomGenerator, onEpoch: ((Int) -> Void)? = nil,
        onRecord: (EpochRecord) -> Void
    ) throws(TrainingError) -> TrainingHistory {
        let rowCount = inputs.rows
        precondition(rowCount > 0 && targets.rows == rowCount, "one target row per input row")
        let batchSize = min(configuration.batchSize ?? rowCount, rowCount)
        var pass = ForwardPass(network: network, batchSize: batchSize)
        var backward = Backpropagation(network: network, batchSize: batchSize)
        var lastPass = ForwardPass(network: network, batchSize: rowCount - (rowCount / batchSize) * batchSize)
        var lastBackward = Backpropagation(network: network, batchSize: lastPass.batchSize)
        var evaluation = ForwardPass(network: network, batchSize: rowCount)
        let fullBatch = batchSize == rowCount
        // Gradient norms are measured on all training rows, only at the recorded epochs.
        var diagnostics = fullBatch ? backward : Backpropagation(network: network, batchSize: rowCount)
        var validationPass = validation.map { ForwardPass(network: network, batchSize: $0.inputs.rows) }
        var optimizer = OptimizerState(configuration.optimizer, network: network)
        var history = TrainingHistory()
        var best: (loss: Double, epoch: Int, network: Network)?

        for epoch in 0..<configuration.epochs {
            if fullBatch {
                step(&network, &pass, &backward, &optimizer, inputs: inputs, targets: targets)
            } else {
                let order = generator.shuffled(Array(0..<rowCount))
                var start = 0
                while start < rowCount {
                    let rows = Array(order[start..<min(start + batchSize, rowCount)])
                    let (x, t) = (inputs.rows(at: rows), targets.rows(at: rows))
                    if rows.count == batchSize {
                        step(&network, &pass, &backward, &optimizer, inputs: x, targets: t)
                    } else {
                        step(&network, &lastPass, &lastBackward, &optimizer, inputs: x, targets: t)
                    }
                    start += batchSize
                }
            }
            history.epochsRun = epoch + 1

            var validationLoss: Double?
            if let validation, validationPass != nil {
                validationPass!.run(network, inputs: validation.inputs)
                let loss = configuration.loss.value(predictions: validationPass!.activations.last!, targets: validation.targets)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
                validationLoss = loss
            }
            var stopping = false
            if let validationLoss, let patience = configuration.patience {
                if best == nil || validationLoss < best!.loss {
                    best = (validationLoss, epoch, network)
                } else if epoch - best!.epoch >= patience {
                    stopping = true
                }
            }

            let recorded = configuration.recordsLoss(after: epoch) || stopping
            if recorded || epoch == configuration.epochs - 1 || !network.isFinite {
                evaluation.run(network, inputs: inputs)
                let loss = configuration.loss.value(predictions: evaluation.activations.last!, targets: targets)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
                if recorded {
                    diagnostics.run(network, pass: evaluation, inputs: inputs, targets: targets, loss: configuration.loss)
                    let record = EpochRecord(
                        epoch: epoch, loss: loss, validationLoss: validationLoss,
                        gradientNorms: diagnostics.gradients.weightNorms)
                    history.records.append(record)
                    onRecord(record)
                }
            }
            onEpoch?(epoch + 1)
            if stopping {
                history.stoppedEarly = true
                break
            }
        }
        if let best {
            network = best.network
            history.bestEpoch = best.epoch
        }
        return history
    }

    /// One update: forward, backward, then the optimizer's step.
    private func step(
        _ network: inout Network, _ pass: inout ForwardPass, _ backward: inout Backpropagation,
        _ optimizer: inout OptimizerState, inputs: Matrix, targets: Matrix
    ) {
        pass.run(network, inputs: inputs)
        backward.run(network, pass: pass, inputs: inputs, targets: targets, loss: configuration.loss)
        optimizer.update(&network, gradients: backward.gradients, learningRate: configuration.learningRate, l2: configuration.l2)
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
