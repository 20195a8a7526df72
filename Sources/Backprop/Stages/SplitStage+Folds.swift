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
        let labels = OneHotTransform.labels(data.target.values)
        guard let global = split.global else {
            let rows = split.train
            let (assignments, stratified) = try foldAssignments(labels: rows.map { labels[$0] }, isCategorical: data.target.isCategorical)
            let splits = assignments.flatMap { fold in
                (0..<fold.count).map { f in
                    DataSplit(train: rows.indices.filter { fold.of[$0] != f }.map { rows[$0] },
                              test: rows.indices.filter { fold.of[$0] == f }.map { rows[$0] }.sorted())
                }
            }
            return (splits, stratified)
        }
        // Every process learns each global training position's data-row id and label.
        var writer = GatherWriter()
        for (slot, row) in split.train.enumerated() {
            writer.append(global.train[slot])
            writer.append(data.rowIDs[row])
            writer.append(labels[row])
        }
        var rowIDs = [Int](repeating: -1, count: global.trainCount)
        var allLabels = [String](repeating: "", count: global.trainCount)
        for bytes in try group.gather(writer.bytes) {
            var reader = GatherReader(bytes)
            while !reader.isAtEnd {
                let position = try reader.integer(), id = try reader.integer(), label = try reader.string()
                guard position >= 0, position < global.trainCount, rowIDs[position] < 0 else {
                    throw BackpropError(.pipeline, "the processes disagree on the training rows (position \(position) of \(global.trainCount))")
                }
                (rowIDs[position], allLabels[position]) = (id, label)
            }
        }
        guard !rowIDs.contains(-1) else { throw BackpropError(.pipeline, "the processes disagree on the training rows (some positions are held by none)") }
        var categorical: [Int64] = [data.target.isCategorical ? 1 : 0]
        try group.sum(&categorical)
        let isCategorical = categorical[0] > 0
        let (assignments, stratified) = try foldAssignments(labels: allLabels, isCategorical: isCategorical)
        let mine = Dictionary(uniqueKeysWithValues: zip(global.train, split.train))
        var splits = [DataSplit]()
        for fold in assignments {
            for f in 0..<fold.count {
                var part = DataSplit(train: [], test: [], global: GlobalSplitPositions(train: [], test: [], trainCount: 0, testCount: 0))
                for position in 0..<global.trainCount where fold.of[position] != f {
                    if let row = mine[position] {
                        part.train.append(row)
                        part.global!.train.append(part.global!.trainCount)
                    }
                    part.global!.trainCount += 1
                }
                // Test rows in data-row order, as one process keeps them.
                for position in (0..<global.trainCount).filter({ fold.of[$0] == f }).sorted(by: { rowIDs[$0] < rowIDs[$1] }) {
                    if let row = mine[position] {
                        part.test.append(row)
                        part.global!.test.append(part.global!.testCount)
                    }
                    part.global!.testCount += 1
                }
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
