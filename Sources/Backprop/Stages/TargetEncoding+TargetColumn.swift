import BackpropNumerics

extension TargetEncoding {
    /// The encoding a classifier's target gets from its training rows `rows` (nil: every row of
    /// `rowCount`), as `fit(_:rows:output:positive:group:)` gives it, for a target in memory or
    /// in a cache: from a cache, the labels (and, for a sigmoid output, the distinct values) are
    /// collected a block of the file at a time, nothing per row is kept.
    /// - Throws: `.data` as `fit` does, or when the cache cannot be read.
    static func fit(
        _ target: TargetColumn, rows: RowList?, rowCount: Int, output: Activation, positive: String?, group: any ProcessGroup
    ) throws -> TargetEncoding? {
        if case .memory(let column) = target {
            if let rows { return try fit(column, rows: rows, output: output, positive: positive, group: group) }
            return try fit(column, rows: 0..<rowCount, output: output, positive: positive, group: group)
        }
        precondition(group.size == 1, "a cache serves one process")
        // The labels are needed by a classifier (and by the message refusing a labelled
        // quantity); the distinct values by a sigmoid output over numbers.
        let wantsLabels = output == .softmax || output == .sigmoid || target.isCategorical
        let wantsNumbers = output == .sigmoid && positive == nil && !target.isCategorical
        var distinct = Set<String>(), numbers = Set<Double>()
        try target.forEachBlockInFileOrder(of: rows, rowCount: rowCount) { values in
            if wantsLabels { distinct.formUnion(distinctLabels(values, rows: 0..<values.count)) }
            if wantsNumbers, case .numeric(let block) = values { numbers.formUnion(block) }
        }
        return try choose(name: target.name, isCategorical: target.isCategorical, distinct: distinct, output: output,
                          positive: positive) { _ in target.isCategorical ? nil : numbers }
    }
}
