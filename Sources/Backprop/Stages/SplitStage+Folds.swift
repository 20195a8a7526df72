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
    /// - Returns: the splits and whether they are stratified.
    /// - Throws: `.data` when there are fewer training rows than folds.
    public func folds(of split: DataSplit, data: Dataset) throws -> (splits: [DataSplit], stratified: Bool) {
        guard let crossValidation else { return ([], false) }
        let rows = split.train
        let k = crossValidation.folds
        guard rows.count >= k else {
            throw BackpropError(.data, "folds \(k) needs at least \(k) training rows, there are \(rows.count)")
        }
        let labels = OneHotTransform.labels(data.target.values)
        let stratified = crossValidation.stratify ?? (data.target.isCategorical || Set(rows.map { labels[$0] }).count <= 10)
        let generator = RandomGenerator(seed: foldSeed)
        var splits = [DataSplit]()
        for _ in 0..<crossValidation.repeats {
            let order = generator.shuffled(rows)
            var fold = [Int: Int]()  // row → its fold
            if stratified {
                var byClass = [String: [Int]]()
                for row in order { byClass[labels[row], default: []].append(row) }
                var next = 0
                for label in byClass.keys.sorted() {
                    for row in byClass[label]! {
                        fold[row] = next
                        next = (next + 1) % k
                    }
                }
            } else {
                for (position, row) in order.enumerated() { fold[row] = position * k / order.count }
            }
            for f in 0..<k {
                splits.append(DataSplit(train: rows.filter { fold[$0] != f }, test: rows.filter { fold[$0] == f }.sorted()))
            }
        }
        return (splits, stratified)
    }
}
