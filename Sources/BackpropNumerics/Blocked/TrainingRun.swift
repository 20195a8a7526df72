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
///
/// With a `TrainingShard` (several processes), batches, the sample and the epoch shuffle are
/// taken from the global training order; each process evaluates its rows of them and one sum over
/// the processes per evaluation gives every process the same loss and gradient.
struct TrainingRun<Scalar: TrainingScalar> {
    let configuration: TrainingConfiguration
    let rows: any TrainingRowSource
    let validation: (any TrainingRowSource)?
    let batch: BlockedBatch<Scalar>
    let shard: TrainingShard?

    init(_ trainer: Trainer, _ network: Network, _ rows: any TrainingRowSource, _ validation: (any TrainingRowSource)?,
         _ shard: TrainingShard?) {
        configuration = trainer.configuration
        self.rows = rows
        self.validation = validation
        self.shard = shard
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

        let rowCount = shard?.globalRowCount ?? rows.rowCount
        let batchSize = min(configuration.batchSize ?? rowCount, rowCount)
        let fullBatch = batchSize == rowCount
        // Global training positions → this process's rows (mini-batches on several processes).
        let localRows = shard != nil && !fullBatch ? shard!.localRows() : []
        func local(_ global: [Int]) -> [Int] {
            shard == nil ? global : global.compactMap { localRows[$0] >= 0 ? Int(localRows[$0]) : nil }
        }
        let sampleCount = fullBatch ? rowCount : min(rowCount, configuration.diagnosticRows)
        // nil: all of a source's rows, in order (no list of every row).
        let sample = fullBatch ? nil : local(Self.evenlySpaced(rowCount, count: sampleCount))
        let localValidationCount = validation?.rowCount ?? 0
        let validationCount = shard?.globalValidationRowCount ?? localValidationCount
        var optimizer = OptimizerState(configuration.optimizer, network: network)
        var gradients: Gradients? = Gradients(zerosLike: network)
        var history = TrainingHistory()
        history.diagnosticRows = sampleCount
        var best: (loss: Double, epoch: Int, network: Network)?
        // Several processes: the weight (row count) of each fixed set of rows on all of them.
        let trainTotal = try shard.map { _ throws(TrainingError) in try weightTotal(rows, sample, count: sampleCount) }
        let validationTotal = validationCount > 0 ? try shard.map { _ throws(TrainingError) in try weightTotal(validation!, nil, count: validationCount) } : nil

        // Full batch: the loss and gradient at the starting weights. On one block without
        // validation rows, the rows stay in the block buffers from one epoch to the next.
        var loss = fullBatch ? try evaluate(rows, nil, network, &gradients, weightTotal: trainTotal) : .nan
        let rowsStayLoaded = fullBatch && localValidationCount == 0
        for epoch in 0..<configuration.epochs {
            if fullBatch {
                optimizer.update(&network, gradients: gradients!, learningRate: configuration.learningRate, l2: configuration.l2)
                // The loss and gradient after this epoch: recorded, and the next epoch's step.
                loss = try evaluate(rows, nil, network, &gradients, rowsLoaded: rowsStayLoaded, weightTotal: trainTotal)
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch) }
            } else {
                let order = EpochOrder(rowCount: rowCount, generator: generator)
                var start = 0
                while start < rowCount {
                    let end = min(start + batchSize, rowCount)
                    let positions = local(order.positions(start..<end))
                    let total = try shard.map { _ throws(TrainingError) in try weightTotal(rows, positions, count: end - start) }
                    _ = try evaluate(rows, positions, network, &gradients, weightTotal: total)
                    optimizer.update(&network, gradients: gradients!, learningRate: configuration.learningRate, l2: configuration.l2)
                    start += batchSize
                }
            }
            history.epochsRun = epoch + 1

            var validationLoss: Double?
            if let validation, validationCount > 0 {
                var none: Gradients?
                let value = try evaluate(validation, nil, network, &none, weightTotal: validationTotal)
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
                loss = try evaluate(rows, sample, network, &sampled, weightTotal: trainTotal)
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

    /// The loss (and gradient) on `positions` (nil: all of `source`'s rows): of this process
    /// alone, or, with a shard and the global `weightTotal` of the batch, of the batch on all
    /// processes.
    private func evaluate(
        _ source: any TrainingRowSource, _ positions: [Int]?, _ network: Network, _ gradients: inout Gradients?,
        rowsLoaded: Bool = false, weightTotal: Double? = nil
    ) throws(TrainingError) -> Double {
        var result: Result<Double, TrainingError> = .success(0)
        Self.withRows(positions, of: source) { positions in
            do throws(TrainingError) {
                if let shard, let weightTotal {
                    result = .success(try batch.evaluate(source, positions: positions, network: network, gradients: &gradients,
                                                         weightTotal: weightTotal, shard: shard, rowsLoaded: rowsLoaded))
                } else {
                    result = .success(try batch.evaluate(source, positions: positions, network: network, gradients: &gradients, rowsLoaded: rowsLoaded))
                }
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// The weight of a batch of `count` rows on all processes, of which this one holds
    /// `positions` (nil: all of `source`'s rows): the row count when rows weigh 1, else one sum
    /// over the processes.
    private func weightTotal(_ source: any TrainingRowSource, _ positions: [Int]?, count: Int) throws(TrainingError) -> Double {
        guard source.hasRowWeights, let shard else { return Double(count) }
        var result: Result<Double, TrainingError> = .success(0)
        Self.withRows(positions, of: source) { positions in
            do throws(TrainingError) { result = .success(try batch.localWeightSum(source, positions)) } catch { result = .failure(error) }
        }
        var total = [try result.get()]
        try shard.combine(&total)
        guard total[0] > 0 else { throw .unreadableRows("the rows' weights add up to 0") }
        return total[0]
    }

    /// Calls `body` with `positions` borrowed, or with the range of all of `source`'s rows.
    private static func withRows(_ positions: [Int]?, of source: any TrainingRowSource, _ body: (BatchRows) -> Void) {
        guard let positions else { return body(.range(0..<source.rowCount)) }
        positions.withUnsafeBufferPointer { body(.list($0)) }
    }

    /// `count` positions spread evenly over `0..<rowCount`, in order.
    static func evenlySpaced(_ rowCount: Int, count: Int) -> [Int] {
        (0..<count).map { Int((Double($0) * Double(rowCount) / Double(count)).rounded(.down)) }
    }
}
