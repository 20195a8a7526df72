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

    /// Creates a configuration.
    public init(epochs: Int, learningRate: Double, batchSize: Int? = nil, loss: Loss = .meanSquaredError) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.loss = loss
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

/// Gradient-descent training of a `Network`, one BLAS product per layer per batch and direction.
public struct Trainer {
    /// The configuration in force.
    public let configuration: TrainingConfiguration

    /// Creates a trainer.
    /// - Precondition: at least one epoch, a positive batch size when one is given.
    public init(configuration: TrainingConfiguration) {
        precondition(configuration.epochs > 0, "at least one epoch")
        precondition(configuration.batchSize.map { $0 > 0 } ?? true, "batch size must be positive")
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
        let rowCount = inputs.rows
        precondition(rowCount > 0 && targets.rows == rowCount, "one target row per input row")
        let batchSize = min(configuration.batchSize ?? rowCount, rowCount)
        var pass = ForwardPass(network: network, batchSize: batchSize)
        var backward = Backpropagation(network: network, batchSize: batchSize)
        var lastPass = ForwardPass(network: network, batchSize: rowCount - (rowCount / batchSize) * batchSize)
        var lastBackward = Backpropagation(network: network, batchSize: lastPass.batchSize)
        var evaluation = ForwardPass(network: network, batchSize: rowCount)
        var history = [EpochLoss]()
        let fullBatch = batchSize == rowCount

        for epoch in 0..<configuration.epochs {
            if fullBatch {
                step(&network, &pass, &backward, inputs: inputs, targets: targets)
            } else {
                let order = generator.shuffled(Array(0..<rowCount))
                var start = 0
                while start < rowCount {
                    let rows = Array(order[start..<min(start + batchSize, rowCount)])
                    let (x, t) = (inputs.rows(at: rows), targets.rows(at: rows))
                    if rows.count == batchSize {
                        step(&network, &pass, &backward, inputs: x, targets: t)
                    } else {
                        step(&network, &lastPass, &lastBackward, inputs: x, targets: t)
                    }
                    start += batchSize
                }
            }
            let recorded = configuration.recordsLoss(after: epoch)
            if recorded || epoch == configuration.epochs - 1 || !network.isFinite {
                evaluation.run(network, inputs: inputs)
                let loss = configuration.loss.value(predictions: evaluation.activations.last!, targets: targets)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
                if recorded {
                    let record = EpochLoss(epoch: epoch, loss: loss)
                    history.append(record)
                    onLoss(record)
                }
            }
        }
        return history
    }

    /// One update: forward, backward, then w ← w − rate · ∂E/∂w.
    private func step(
        _ network: inout Network, _ pass: inout ForwardPass, _ backward: inout Backpropagation,
        inputs: Matrix, targets: Matrix
    ) {
        pass.run(network, inputs: inputs)
        backward.run(network, pass: pass, inputs: inputs, targets: targets, loss: configuration.loss)
        let rate = configuration.learningRate
        let gradients = backward.gradients
        for index in network.layers.indices {
            network.layers[index].weights.values.withUnsafeMutableBufferPointer { w in
                gradients.weights[index].values.withUnsafeBufferPointer { g in
                    for i in 0..<w.count { w[i] -= rate * g[i] }
                }
            }
            if let biasGradient = gradients.bias[index] {
                for i in biasGradient.indices { network.layers[index].bias![i] -= rate * biasGradient[i] }
            }
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
