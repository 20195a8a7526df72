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
    /// The precision of the work buffers and matrix products (the weights stay doubles).
    public var precision: Precision
    /// Worker threads for batches of more than one block; nil for one per processor. It does
    /// not change the results.
    public var threads: Int?
    /// Rows per block: forward and backward run over blocks of this many rows, whose gradients
    /// are added in block order. It fixes the order of the sums, hence the last bits of a model.
    public var blockRows: Int
    /// For mini-batch training: the recorded loss and gradient norms are measured on at most
    /// this many training rows, evenly spaced (all rows when there are fewer). Full-batch
    /// training records them on all rows, from the passes it makes anyway.
    public var diagnosticRows: Int

    /// Creates a configuration.
    public init(
        epochs: Int, learningRate: Double, batchSize: Int? = nil, loss: Loss = .meanSquaredError,
        optimizer: Optimizer = .gradientDescent, l2: Double = 0, patience: Int? = nil,
        precision: Precision = .float64, threads: Int? = nil, blockRows: Int = 4_096, diagnosticRows: Int = 65_536
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.loss = loss
        self.optimizer = optimizer
        self.l2 = l2
        self.patience = patience
        self.precision = precision
        self.threads = threads
        self.blockRows = blockRows
        self.diagnosticRows = diagnosticRows
    }

    /// Whether the training loss is recorded after `epoch` (0-based): every tenth of the run,
    /// at the epochs e with e mod (epochs / 10) = 0, as the reference does.
    public func recordsLoss(after epoch: Int) -> Bool {
        (10 * epoch) % epochs == 0
    }
}
