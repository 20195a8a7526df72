import Dispatch
import Synchronization

/// The loss and gradient of a batch of rows, computed a block of rows at a time.
///
/// The batch's rows are cut into consecutive blocks of `blockRows` (the last one shorter). Each
/// block's gradient goes into its own slot; blocks run on up to `threads` workers at once (each
/// takes the next block not yet taken, so a worker the system pauses holds up no other), and
/// the slots are added in block order. The partition and the order of the sums do not depend on
/// the number of threads or on timing, so neither does the model: 1, 2 or 3 threads give the
/// same bits. A batch of one block runs on the calling thread and starts no thread.
final class BlockedBatch<Scalar: TrainingScalar>: @unchecked Sendable {
    /// What one evaluation found.
    struct Result {
        /// Σ wᵢLᵢ / Σ wᵢ (divided by the output count too for MSE, as `Loss.value`).
        var loss: Double
    }

    let network: ScalarNetwork<Scalar>
    let loss: Loss
    let blockRows: Int
    let threads: Int
    private let workspaces: [BlockWorkspace<Scalar>]
    /// Blocks handled between two summations: their gradient slots and losses.
    private let blocksPerRound: Int
    private let slots: UnsafeMutableBufferPointer<Scalar>
    /// Written by the workers (each its own slots), read after the round: raw memory, no
    /// copy-on-write array shared across threads.
    private let blockLosses: UnsafeMutableBufferPointer<Double>
    private let blockErrors: UnsafeMutableBufferPointer<(any Error)?>
    private var totals: [Double]

    /// Prepares workers for `network`'s shape.
    /// - Parameters:
    ///   - largestBatch: the most rows one evaluation will get (bounds the buffers).
    ///   - blockRows: rows per block (fixes the partition, hence the results).
    ///   - threads: workers at most.
    init(network: Network, loss: Loss, largestBatch: Int, blockRows: Int, threads: Int) {
        precondition(blockRows > 0 && threads > 0, "positive block size and thread count")
        let shape = ScalarNetwork<Scalar>(shapeOf: network)
        self.network = shape
        self.loss = loss
        self.blockRows = blockRows
        let blocks = (max(largestBatch, 1) + blockRows - 1) / blockRows
        self.threads = min(threads, blocks)
        let capacity = min(blockRows, max(largestBatch, 1))
        workspaces = (0..<self.threads).map { _ in BlockWorkspace(network: shape, capacity: capacity) }
        // Enough blocks per round to balance the workers, with at most ~64 MiB of slots.
        let slotBytes = max(1, shape.parameterCount * MemoryLayout<Scalar>.stride)
        blocksPerRound = min(blocks, max(self.threads, min(16 * self.threads, (64 << 20) / slotBytes)))
        slots = .allocate(capacity: blocksPerRound * self.network.parameterCount)
        slots.initialize(repeating: 0)
        blockLosses = .allocate(capacity: blocksPerRound)
        blockLosses.initialize(repeating: 0)
        blockErrors = .allocate(capacity: blocksPerRound)
        blockErrors.initialize(repeating: nil)
        totals = Array(repeating: 0, count: self.network.parameterCount)
    }

    deinit {
        slots.deallocate()
        blockLosses.deallocate()
        _ = blockErrors.deinitialize()
        blockErrors.deallocate()
    }

    /// The loss of `network` on the rows of `source` at `positions`, and, when `gradients` is not
    /// nil, its gradient (written there).
    /// - Parameter rowsLoaded: the rows are one block and the very rows of the previous call
    ///   (full batch on small data): the first worker's buffers still hold them.
    /// - Throws: `TrainingError.unreadableRows` when the source fails or row weights are bad.
    func evaluate(
        _ source: any TrainingRowSource, positions: BatchRows, network weights: Network, gradients: inout Gradients?,
        rowsLoaded: Bool = false
    ) throws(TrainingError) -> Double {
        precondition(positions.count > 0, "an evaluation needs rows")
        let weightTotal = source.hasRowWeights ? try weightSum(source, positions) : Double(positions.count)
        let lossTotal = try sums(source, positions: positions, network: weights, gradient: gradients != nil,
                                 scale: Scalar(1 / weightTotal), rowsLoaded: rowsLoaded)
        if gradients != nil { unpack(into: &gradients!) }
        return lossTotal / (weightTotal * lossDivisor)
    }

    /// The same over the rows of a batch spread over several processes: this process's rows at
    /// `positions` (maybe none) add their loss and gradient to the other processes' through one
    /// `shard.sum` of the packed vector, and the totals are divided by `weightTotal`, the
    /// weight (or row count) of the whole batch on all processes.
    func evaluate(
        _ source: any TrainingRowSource, positions: BatchRows, network weights: Network, gradients: inout Gradients?,
        weightTotal: Double, shard: TrainingShard, rowsLoaded: Bool = false
    ) throws(TrainingError) -> Double {
        let wantsGradient = gradients != nil
        var lossTotal = 0.0
        if positions.count == 0 {
            for i in totals.indices { totals[i] = 0 }
        } else {
            lossTotal = try sums(source, positions: positions, network: weights, gradient: wantsGradient,
                                 scale: Scalar(1 / weightTotal), rowsLoaded: rowsLoaded)
        }
        var packed = wantsGradient ? totals + [lossTotal] : [lossTotal]
        try shard.combine(&packed)
        if wantsGradient {
            for i in totals.indices { totals[i] = packed[i] }
            unpack(into: &gradients!)
        }
        return packed[packed.count - 1] / (weightTotal * lossDivisor)
    }

    /// Σ wᵢ over the rows at `positions` of this process (0 for none), for a batch spread over
    /// processes; the same checks as for a process alone, but for the sum's sign.
    func localWeightSum(_ source: any TrainingRowSource, _ positions: BatchRows) throws(TrainingError) -> Double {
        guard positions.count > 0 else { return 0 }
        guard source.hasRowWeights else { return Double(positions.count) }
        return try weightSum(source, positions, allowZero: true)
    }

    /// What the summed loss is divided by besides the weights: the output count for MSE.
    private var lossDivisor: Double {
        loss == .meanSquaredError ? Double(network.layers[network.layers.count - 1].outputs) : 1
    }

    /// Loads `weights`, runs the blocks of `positions`, and leaves the gradient (each block's
    /// scaled by `scale`, added in block order) in `totals`; returns the summed row losses.
    private func sums(
        _ source: any TrainingRowSource, positions: BatchRows, network weights: Network,
        gradient wantsGradient: Bool, scale: Scalar, rowsLoaded: Bool
    ) throws(TrainingError) -> Double {
        network.load(weights)
        let weighted = source.hasRowWeights
        let blocks = (positions.count + blockRows - 1) / blockRows
        let reload = !(rowsLoaded && blocks == 1)
        var lossTotal = 0.0
        for i in totals.indices { totals[i] = 0 }

        var first = 0
        while first < blocks {
            let count = min(blocksPerRound, blocks - first)
            let workers = min(threads, count)
            let round = first
            // Each worker owns its workspace and the slots of its blocks; the rows are read-only.
            let next = Atomic<Int>(0)
            let work: @Sendable (Int) -> Void = { worker in
                while true {
                    let slot = next.add(1, ordering: .relaxed).oldValue
                    guard slot < count else { return }
                    let start = (round + slot) * self.blockRows
                    let rows = positions.positions(start..<min(start + self.blockRows, positions.count),
                                                   scratch: self.workspaces[worker].positions)
                    self.runBlock(self.workspaces[worker], source, rows, slot: slot, weighted: weighted, scale: scale, gradient: wantsGradient, load: reload)
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
            // Sum in block order, whatever order the blocks finished in.
            for slot in 0..<count {
                if let error = blockErrors[slot] { throw .unreadableRows(String(describing: error)) }
                lossTotal += blockLosses[slot]
                if wantsGradient {
                    let values = slots.baseAddress! + slot * network.parameterCount
                    for i in totals.indices { totals[i] += Double(values[i]) }
                }
            }
            first += count
        }
        return lossTotal
    }

    private func runBlock(
        _ workspace: BlockWorkspace<Scalar>, _ source: any TrainingRowSource, _ rows: UnsafeBufferPointer<Int>,
        slot: Int, weighted: Bool, scale: Scalar, gradient: Bool, load: Bool
    ) {
        do {
            if load { try workspace.load(source, rows, weighted: weighted) }
            blockErrors[slot] = nil
        } catch {
            blockErrors[slot] = error
            return
        }
        workspace.forward(network, rows: rows.count)
        blockLosses[slot] = workspace.lossSum(network, rows: rows.count, loss: loss, weighted: weighted)
        if gradient {
            workspace.backward(network, rows: rows.count, loss: loss, weighted: weighted, scale: scale,
                               into: slots.baseAddress! + slot * network.parameterCount)
        }
    }

    /// Σ wᵢ over `positions`, read a block at a time; every weight must be finite and ≥ 0, and
    /// their sum positive.
    private func weightSum(_ source: any TrainingRowSource, _ positions: BatchRows, allowZero: Bool = false) throws(TrainingError) -> Double {
        let buffer = workspaces[0].rowWeights, scratch = workspaces[0].positions
        var total = 0.0
        var start = 0
        while start < positions.count {
            let rows = positions.positions(start..<min(start + blockRows, positions.count), scratch: scratch)
            do {
                try source.copyWeights(rows, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<rows.count]))
            } catch {
                throw .unreadableRows(String(describing: error))
            }
            for (i, w) in buffer[0..<rows.count].enumerated() {
                guard w.isFinite && w >= 0 else { throw .unreadableRows("row \(rows[i] + 1) has the weight \(w); weights must be finite and not negative") }
                total += w
            }
            start += blockRows
        }
        guard total > 0 || allowZero else { throw .unreadableRows("the rows' weights add up to 0") }
        return total
    }

    /// The flat totals into `Gradients`' matrices.
    private func unpack(into gradients: inout Gradients) {
        for (index, layer) in network.layers.enumerated() {
            for i in 0..<(layer.inputs * layer.outputs) { gradients.weights[index].values[i] = totals[layer.weightOffset + i] }
            if let offset = layer.biasOffset {
                for i in 0..<layer.outputs { gradients.bias[index]![i] = totals[offset + i] }
            }
        }
    }
}
