/// This process's part of a training run spread over several processes (data parallelism):
/// which rows of the global training order it holds, and how it adds its partial sums to the
/// other processes' (an MPI allreduce).
///
/// Every process trains the same network on its own rows. Each step, every process sums the
/// loss and gradient over its rows of the batch (in its fixed blocks), one `sum` adds those
/// vectors over all processes, and the total is divided by the global row count (or weight
/// sum): every process applies the same update, so the weights stay the same everywhere and
/// equal a single process's up to the order of the floating-point sums.
public struct TrainingShard: Sendable {
    /// For each row of the local training source, its position in the global training order
    /// (increasing).
    public var globalPositions: [Int]
    /// The training rows of all processes.
    public var globalRowCount: Int
    /// The validation rows of all processes (0 without validation).
    public var globalValidationRowCount: Int
    /// Replaces the values by their element-wise sum over every process; every process calls it
    /// at the same points with vectors of the same length.
    public var sum: @Sendable (inout [Double]) throws -> Void

    /// Creates a shard.
    /// - Precondition: the global positions increase and lie in `0..<globalRowCount`.
    public init(globalPositions: [Int], globalRowCount: Int, globalValidationRowCount: Int,
                sum: @escaping @Sendable (inout [Double]) throws -> Void) {
        precondition(zip(globalPositions, globalPositions.dropFirst()).allSatisfy { $0 < $1 }
                     && globalPositions.allSatisfy { $0 >= 0 && $0 < globalRowCount }, "increasing global positions")
        self.globalPositions = globalPositions
        self.globalRowCount = globalRowCount
        self.globalValidationRowCount = globalValidationRowCount
        self.sum = sum
    }

    /// Adds `values` over every process, as a training error when the exchange fails.
    func combine(_ values: inout [Double]) throws(TrainingError) {
        do {
            try sum(&values)
        } catch {
            throw .collectiveFailed(String(describing: error))
        }
    }

    /// For each global training position, the local row that holds it, or -1.
    func localRows() -> [Int32] {
        var local = [Int32](repeating: -1, count: globalRowCount)
        for (row, position) in globalPositions.enumerated() { local[position] = Int32(truncatingIfNeeded: row) }
        return local
    }
}
