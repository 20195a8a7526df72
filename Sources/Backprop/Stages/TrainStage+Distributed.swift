import BackpropNumerics

/// What the train stage agrees on with the other processes of a job, so that every process
/// trains the model a single process would train on all their rows together.
extension TrainStage {
    /// The validation share drawn over the global training order, as a single process draws it
    /// over its rows: the same permutation of the same count. Returns this process's validation
    /// rows and remaining training rows with their new global positions.
    static func globalValidationSplit(
        rows: [Int], positions: [Int], globalCount: Int, fraction: Double, generator: RandomGenerator, context: PipelineContext
    ) throws -> (validation: [Int], train: [Int], trainPositions: [Int], validationCount: Int) {
        let count = Int((fraction * Double(globalCount)).rounded())
        guard count >= 1, count < globalCount else {
            throw context.error(.data, "validation_fraction \(fraction) of \(globalCount) training rows leaves no validation or no training rows")
        }
        var held = [Bool](repeating: false, count: globalCount)
        for position in generator.shuffled(Array(0..<globalCount)).prefix(count) { held[position] = true }
        var heldBefore = [Int32](repeating: 0, count: globalCount)
        var running: Int32 = 0
        for position in 0..<globalCount {
            heldBefore[position] = running
            if held[position] { running += 1 }
        }
        var validation = [Int](), train = [Int](), trainPositions = [Int]()
        for (row, position) in zip(rows, positions) {
            if held[position] {
                validation.append(row)
            } else {
                train.append(row)
                trainPositions.append(position - Int(heldBefore[position]))
            }
        }
        return (validation, train, trainPositions, count)
    }

    /// Checks that training left the same weights on every process (the sums each process
    /// received were the same): the largest and smallest of each weight over the processes agree.
    static func checkSameWeights(_ network: Network, group: any ProcessGroup, context: PipelineContext) throws {
        let weights = network.layers.flatMap { $0.weights.values + ($0.bias ?? []) }
        var highest = weights, lowest = weights
        try group.maximum(&highest)
        try group.minimum(&lowest)
        if let index = weights.indices.first(where: { highest[$0] != lowest[$0] }) {
            throw context.error(.training, "the processes ended with different weights (parameter \(index): \(lowest[index]) to \(highest[index])); the sums of the job's processes differed")
        }
    }
}
