import Glibc

/// One training run in one precision: the epoch loop of `Trainer`. Generic over the precision
/// only (the source is an existential, called once per block), so its loops are specialised
/// in this module whatever source a caller brings.
///
/// Full batch: the forward and backward pass that computes an update is also the loss and the
/// gradient at the weights it starts from, so the pass after epoch e's update gives epoch e's
/// recorded loss and gradient norms and the gradient of epoch e + 1's update: epochs + 1 passes
/// in all, and no extra pass for recording. Mini-batches: the record is measured after the epoch
/// on a fixed sample of at most `diagnosticRows` training rows, evenly spaced.
struct TrainingRun<Scalar: TrainingScalar> {
    let configuration: TrainingConfiguration
    let rows: any TrainingRowSource
    let validation: (any TrainingRowSource)?
    let batch: BlockedBatch<Scalar>

    init(_ trainer: Trainer, _ network: Network, _ rows: any TrainingRowSource, _ validation: (any TrainingRowSource)?) {
        configuration = trainer.configuration
        self.rows = rows
        self.validation = validation
        let largest = max(rows.rowCount, validation?.rowCount ?? 0)
        batch = BlockedBatch(
            network: network, loss: configuration.loss, largestBatch: largest,
            blockRows: configuration.blockRows, threads: configuration.threads ?? Self.processorCount)
    }

    /// Processors online (at least 1).
    static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    func run(
        _ network: inout Network, _ generator: RandomGenerator, _ onEpoch: ((Int) -> Void)?, _ onRecord: (EpochRecord) -> Void
    ) throws(TrainingError) -> TrainingHistory {
        // Several blocks: one BLAS thread per worker (OpenBLAS's own threads would compete with
        // ours, and its thread count could change the bits). One block: BLAS as configured.
        let blocksAtMost = (max(rows.rowCount, validation?.rowCount ?? 0) + configuration.blockRows - 1) / configuration.blockRows
        let blasThreads = BLAS.threadCount
        if blocksAtMost > 1 { BLAS.threadCount = 1 }
        defer { if blocksAtMost > 1 { BLAS.threadCount = blasThreads } }

        let rowCount = rows.rowCount
        let batchSize = min(configuration.batchSize ?? rowCount, rowCount)
        let fullBatch = batchSize == rowCount
        let allRows = Array(0..<rowCount)
        let sample = fullBatch ? allRows : Self.evenlySpaced(rowCount, count: min(rowCount, configuration.diagnosticRows))
        let validationRows = Array(0..<(validation?.rowCount ?? 0))
        var optimizer = OptimizerState(configuration.optimizer, network: network)
        var gradients: Gradients? = Gradients(zerosLike: network)
        var history = TrainingHistory()
        history.diagnosticRows = sample.count
        var best: (loss: Double, epoch: Int, network: Network)?

        // Full batch: the loss and gradient at the starting weights. On one block without
        // validation rows, the rows stay in the block buffers from one epoch to the next.
        var loss = fullBatch ? try evaluate(rows, allRows, network, &gradients) : .nan
        let rowsStayLoaded = fullBatch && validationRows.isEmpty
        for epoch in 0..<configuration.epochs {
            if fullBatch {
                optimizer.update(&network, gradients: gradients!, learningRate: configuration.learningRate, l2: configuration.l2)
                // The loss and gradient after this epoch: recorded, and the next epoch's step.
                loss = try evaluate(rows, allRows, network, &gradients, rowsLoaded: rowsStayLoaded)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
            } else {
                let order = generator.shuffled(allRows)
                var start = 0
                while start < rowCount {
                    let positions = Array(order[start..<min(start + batchSize, rowCount)])
                    _ = try evaluate(rows, positions, network, &gradients)
                    optimizer.update(&network, gradients: gradients!, learningRate: configuration.learningRate, l2: configuration.l2)
                    start += batchSize
                }
            }
            history.epochsRun = epoch + 1

            var validationLoss: Double?
            if let validation, !validationRows.isEmpty {
                var none: Gradients?
                let value = try evaluate(validation, validationRows, network, &none)
                guard value.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
                validationLoss = value
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
            if !fullBatch && (recorded || epoch == configuration.epochs - 1 || !network.isFinite) {
                // Mini-batches: measured on the fixed sample, with gradients only when recorded.
                var sampled: Gradients? = recorded ? Gradients(zerosLike: network) : nil
                loss = try evaluate(rows, sample, network, &sampled)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
                gradients = sampled ?? gradients
            }
            if recorded {
                let record = EpochRecord(
                    epoch: epoch, loss: loss, validationLoss: validationLoss, gradientNorms: gradients!.weightNorms)
                history.records.append(record)
                onRecord(record)
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

    private func evaluate(
        _ source: any TrainingRowSource, _ positions: [Int], _ network: Network, _ gradients: inout Gradients?,
        rowsLoaded: Bool = false
    ) throws(TrainingError) -> Double {
        var result: Result<Double, TrainingError> = .success(0)
        positions.withUnsafeBufferPointer { positions in
            do throws(TrainingError) {
                result = .success(try batch.evaluate(source, positions: positions, network: network, gradients: &gradients, rowsLoaded: rowsLoaded))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// `count` positions spread evenly over `0..<rowCount`, in order.
    static func evenlySpaced(_ rowCount: Int, count: Int) -> [Int] {
        (0..<count).map { Int((Double($0) * Double(rowCount) / Double(count)).rounded(.down)) }
    }
}
