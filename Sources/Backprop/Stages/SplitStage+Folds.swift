import BackpropNumerics

extension SplitStage {
    /// The number of folds and repeats, when the stage asks for cross-validation.
    public var foldCount: (folds: Int, repeats: Int)? {
        crossValidation.map { ($0.folds, $0.repeats) }
    }

    /// The cross-validation splits of the training rows of `split`: `repeats` × `folds` splits,
    /// each fold the test rows once, the other folds its training rows (in their original order).
    ///
    /// Rows are shuffled with a GSL generator seeded by the stage's seed (a new shuffle per
    /// repeat). Stratified folds deal every class's shuffled rows in turn over the folds, one
    /// fold after the other, so that each fold keeps the class shares (within one row).
    /// When the rows are shared out over processes (`split.global` is set), the folds are drawn
    /// over all processes' training rows the same way, and each process keeps its own rows.
    /// - Returns: the splits and whether they are stratified.
    /// - Throws: `.data` when there are fewer training rows than folds.
    public func folds(of split: DataSplit, data: Dataset, group: any ProcessGroup = SingleProcess.shared) throws -> (splits: [DataSplit], stratified: Bool) {
        guard crossValidation != nil else { return ([], false) }
        let all = try TrainingRowsOfAllProcesses(split, data: data, group: group)
        let (assignments, stratified) = try foldAssignments(labels: all.labels, isCategorical: all.isCategorical)
        let testOrder = Array(all.labels.indices).sorted { all.dataOrder[$0] < all.dataOrder[$1] }
        var splits = [DataSplit]()
        for fold in assignments {
            for f in 0..<fold.count {
                // Training rows in training order; test rows in data-row order, as one process keeps them.
                var part = DataSplit(train: [], test: [], global: GlobalSplitPositions(train: [], test: [], trainCount: 0, testCount: 0))
                for position in all.labels.indices where fold.of[position] != f {
                    if let row = all.localRow[position] {
                        part.trainRows.append(row)
                        part.global!.train.append(part.global!.trainCount)
                    }
                    part.global!.trainCount += 1
                }
                for position in testOrder where fold.of[position] == f {
                    if let row = all.localRow[position] {
                        part.testRows.append(row)
                        part.global!.test.append(part.global!.testCount)
                    }
                    part.global!.testCount += 1
                }
                if split.global == nil { part.global = nil }
                splits.append(part)
            }
        }
        return (splits, stratified)
    }

    /// One fold assignment per repeat for training rows with these `labels` (in training order):
    /// `of[i]` is the fold of the i-th training row, 0 ..< `count`.
    private func foldAssignments(labels: [String], isCategorical: Bool) throws -> (assignments: [(of: [Int], count: Int)], stratified: Bool) {
        guard let crossValidation else { return ([], false) }
        let k = crossValidation.folds
        guard labels.count >= k else {
            throw BackpropError(.data, "folds \(k) needs at least \(k) training rows, there are \(labels.count)")
        }
        let stratified = crossValidation.stratify ?? (isCategorical || Set(labels).count <= 10)
        let generator = RandomGenerator(seed: foldSeed)
        var assignments = [(of: [Int], count: Int)]()
        for _ in 0..<crossValidation.repeats {
            let order = generator.shuffled(Array(labels.indices))
            var fold = [Int](repeating: 0, count: labels.count)
            if stratified {
                var byClass = [String: [Int]]()
                for index in order { byClass[labels[index], default: []].append(index) }
                var next = 0
                for label in byClass.keys.sorted() {
                    for index in byClass[label]! {
                        fold[index] = next
                        next = (next + 1) % k
                    }
                }
            } else {
                for (position, index) in order.enumerated() { fold[index] = position * k / order.count }
            }
            assignments.append((fold, k))
        }
        return (assignments, stratified)
    }
}

/// The training rows of every process of a job, in global training order: each one's data-row id
/// and label, and this process's row for the ones it holds. With one process, its own rows.
private struct TrainingRowsOfAllProcesses {
    /// Where each training row stands in the data of all processes (its data-row id; with one
    /// process, its position in the data): the order test rows are kept in.
    var dataOrder: [Int]
    /// Each training row's target label.
    var labels: [String]
    /// The position in this process's data of each training row it holds, nil for the others'.
    var localRow: [Int?]
    /// Whether the target is categorical on any process.
    var isCategorical: Bool

    /// Gathers the training rows of `split` from every process of `group` (when the split was
    /// drawn over several processes' rows).
    init(_ split: DataSplit, data: Dataset, group: any ProcessGroup) throws {
        let labels = OneHotTransform.labels(data.target.values)
        guard let global = split.global else {
            dataOrder = split.train
            self.labels = split.trainRows.map { labels[$0] }
            localRow = split.train
            isCategorical = data.target.isCategorical
            return
        }
        var writer = GatherWriter()
        for (slot, row) in split.train.enumerated() {
            writer.append(global.train[slot])
            writer.append(data.rowID(at: row))
            writer.append(labels[row])
        }
        dataOrder = [Int](repeating: -1, count: global.trainCount)
        self.labels = [String](repeating: "", count: global.trainCount)
        for bytes in try group.gather(writer.bytes) {
            var reader = GatherReader(bytes)
            while !reader.isAtEnd {
                let position = try reader.integer(), id = try reader.integer(), label = try reader.string()
                guard position >= 0, position < global.trainCount, dataOrder[position] < 0 else {
                    throw BackpropError(.pipeline, "the processes disagree on the training rows (position \(position) of \(global.trainCount))")
                }
                (dataOrder[position], self.labels[position]) = (id, label)
            }
        }
        guard !dataOrder.contains(-1) else { throw BackpropError(.pipeline, "the processes disagree on the training rows (some positions are held by none)") }
        localRow = [Int?](repeating: nil, count: global.trainCount)
        for (slot, row) in split.train.enumerated() { localRow[global.train[slot]] = row }
        var categorical: [Int64] = [data.target.isCategorical ? 1 : 0]
        try group.sum(&categorical)
        isCategorical = categorical[0] > 0
    }
}
