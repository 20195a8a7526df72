/// What training recorded at one epoch: the losses and the per-layer gradient norms.
public struct EpochRecord: Equatable, Sendable {
    /// The 0-based epoch.
    public var epoch: Int
    /// The training loss after that epoch's updates, on all training rows.
    public var loss: Double
    /// The loss on the validation rows, when there are any.
    public var validationLoss: Double?
    /// ‖∂E/∂W‖ (Frobenius) per layer, input side first, on all training rows after the epoch.
    /// Small values near the input beside large ones near the output are the vanishing gradient.
    public var gradientNorms: [Double]

    /// Creates a record.
    public init(epoch: Int, loss: Double, validationLoss: Double? = nil, gradientNorms: [Double] = []) {
        self.epoch = epoch
        self.loss = loss
        self.validationLoss = validationLoss
        self.gradientNorms = gradientNorms
    }
}

/// The history of one training run.
public struct TrainingHistory: Equatable, Sendable {
    /// The records, at every tenth of the epochs (and at an early stop).
    public var records: [EpochRecord] = []
    /// Epochs actually run.
    public var epochsRun = 0
    /// Whether early stopping ended the run before its last epoch.
    public var stoppedEarly = false
    /// With early stopping: the 0-based epoch whose weights were kept (lowest validation loss).
    public var bestEpoch: Int?
    /// The training rows the recorded losses and gradient norms were measured on: all of them
    /// for full batch, a fixed evenly spaced sample for mini-batches of large data.
    public var diagnosticRows = 0

    /// Creates an empty history.
    public init() {}

    /// The recorded training losses.
    public var losses: [EpochLoss] { records.map { EpochLoss(epoch: $0.epoch, loss: $0.loss) } }
}

extension Gradients {
    /// The Frobenius norm of each layer's weight gradient, input side first.
    public var weightNorms: [Double] {
        weights.map { matrix in matrix.values.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }
}
