import BackpropNumerics

/// The split over several processes: drawn over all processes' rows by their global positions
/// (the same GSL permutation on every process), each process keeping its own rows, so which
/// rows train and which test depends on the seed and the rows only, never on the process count.
extension SplitStage {
    /// Splits this process's rows of the data of all processes.
    func runDistributed(_ data: Dataset, _ context: inout PipelineContext) throws {
        let shards = try RowShards(rowIDs: data.rowIDs, group: context.rowGroup)
        let mine = shards.offset..<(shards.offset + data.rowCount)
        switch method {
        case .random(let fraction, let seed):
            let rowCount = shards.total
            let testCount = Int((Double(rowCount) * fraction).rounded())
            guard testCount >= 1, testCount < rowCount else {
                throw context.error(.data, "test_fraction \(fraction) of \(rowCount) rows leaves \(testCount) test rows; need at least one test and one training row")
            }
            let order = RandomGenerator(seed: seed).shuffled(Array(0..<rowCount))
            var split = DataSplit(train: [], test: [], global: GlobalSplitPositions(train: [], test: [], trainCount: rowCount - testCount, testCount: testCount))
            for (position, row) in order[testCount...].enumerated() where mine.contains(row) {
                split.trainRows.append(row - shards.offset)
                split.global!.train.append(position)
            }
            for (position, row) in order[..<testCount].sorted().enumerated() where mine.contains(row) {
                split.testRows.append(row - shards.offset)
                split.global!.test.append(position)
            }
            context.split = split
        case .explicit(let train, let test):
            let local = Dictionary(uniqueKeysWithValues: data.rowIDs.enumerated().map { ($1, $0) })
            let (trainRows, trainPositions) = try held(train, field: "train_rows", local: local, shards: shards, context: context)
            var split = DataSplit(train: trainRows, test: [], global: GlobalSplitPositions(train: trainPositions, test: [], trainCount: train.count, testCount: 0))
            if let test {
                let (testRows, testPositions) = try held(test, field: "test_rows", local: local, shards: shards, context: context)
                (split.test, split.global!.test) = (testRows, testPositions)
                split.global!.testCount = test.count
            } else {
                // Every row not trained on, in row order: numbered after the other processes' ones.
                split.test = Array(Set(0..<data.rowCount).subtracting(trainRows)).sorted()
                let (before, total) = try shards.count(split.test.count)
                split.global!.test = split.test.indices.map { before + $0 }
                split.global!.testCount = total
            }
            guard split.global!.testCount > 0 else { throw context.error(.data, "no rows are left for testing") }
            context.split = split
        case .none:
            // Folds alone: every row trains, in row order.
            context.split = DataSplit(train: Array(0..<data.rowCount), test: [], global: GlobalSplitPositions(
                train: (0..<data.rowCount).map { shards.offset + $0 }, test: [], trainCount: shards.total, testCount: 0))
        }
    }

    /// This process's rows among `ids` (data-row ids listed in `field`), and each one's position
    /// in the list; every id must be held by some process.
    private func held(
        _ ids: [Int], field: String, local: [Int: Int], shards: RowShards, context: PipelineContext
    ) throws -> (rows: [Int], positions: [Int]) {
        var rows = [Int](), positions = [Int]()
        var found = [Int64](repeating: 0, count: ids.count)
        for (position, id) in ids.enumerated() {
            guard let row = local[id] else { continue }
            rows.append(row)
            positions.append(position)
            found[position] = 1
        }
        try shards.group.sum(&found)
        if let missing = found.firstIndex(of: 0) {
            throw context.error(.data, "field '\(field)': data row \(ids[missing]) does not exist or was dropped at ingest (the data keeps \(shards.total) rows of 0…\(shards.lastRowID))")
        }
        return (rows, positions)
    }
}
