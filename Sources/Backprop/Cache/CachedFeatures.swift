/// The feature columns of a cached dataset as the stages so far have made them: the raw columns
/// are read from the cache file a block of rows (or one column) at a time, and the fitted
/// preprocessing is applied to what was read. Nothing holds all rows of all columns.
///
/// Works with preprocessing whose steps each read one column (standardize, min-max, one-hot,
/// impute): a step's saved state names that column (`"column"`).
struct CachedFeatures: Sendable {
    /// The cache file.
    let cache: ColumnCache
    /// The preprocessing fitted so far, in order.
    let transforms: [any FittedTransform]
    /// The dataset in memory: the row count and row ids (no feature or target values).
    let data: Dataset

    /// Rows read at a time when a stage goes over many rows (prediction).
    static let blockRows = 4_096

    /// The feature columns after the preprocessing, with no rows: their names and kinds.
    func schema() throws -> Dataset {
        try transformed(rows: [])
    }

    /// The rows at `rows` (ascending positions) with every feature column, preprocessed.
    /// - Throws: `.data` when the cache cannot be read or a step refuses a value.
    func block(rows: [Int]) throws -> Dataset {
        try transformed(rows: rows)
    }

    /// One feature column after the preprocessing, for every row (`rows` nil: its raw column read
    /// whole) or for the rows at `rows` (ascending positions: a block), then the steps that
    /// derive from it.
    /// - Throws: `.data` when no raw column gives `name` or the cache cannot be read.
    func column(named name: String, rows: [Int]? = nil) throws -> Column {
        for raw in cache.header.features {
            let steps = derivation(of: raw.name)
            guard steps.names.contains(name) else { continue }
            var single: Dataset
            if let rows {
                let values = try rows.withUnsafeBufferPointer { try cache.values(raw, rows: $0) }
                single = Dataset(source: data.source, features: [Column(name: raw.name, values: values)], targetNamed: data.target.name,
                                 rowCount: rows.count, rowIDs: rows.map { data.rowID(at: $0) })
            } else {
                single = data.withFeatures([Column(name: raw.name, values: try cache.values(raw))])
            }
            for step in steps.transforms { try step.apply(inPlace: &single) }  // no second copy of the column
            guard let index = single.featureIndex(named: name) else { break }
            return single.features[index]
        }
        throw BackpropError(.data, "cache \(cache.name): no column gives '\(name)'")
    }

    /// The steps that read raw column `raw` or a column derived from it, and the columns they
    /// leave.
    private func derivation(of raw: String) -> (transforms: [any FittedTransform], names: [String]) {
        var names = [raw], steps = [any FittedTransform]()
        for transform in transforms {
            guard case .string(let column)? = transform.state["column"], names.contains(column) else { continue }
            steps.append(transform)
            names = transform.outputColumns(from: names)
        }
        return (steps, names)
    }

    private func transformed(rows: [Int]) throws -> Dataset {
        // The steps read feature columns only: the block carries no target values.
        var block = try rows.withUnsafeBufferPointer { positions in
            Dataset(
                source: data.source,
                features: try cache.header.features.map { Column(name: $0.name, values: try cache.values($0, rows: positions)) },
                targetNamed: data.target.name, rowCount: rows.count, rowIDs: rows.map { data.rowID(at: $0) })
        }
        for transform in transforms { try transform.apply(inPlace: &block) }
        return block
    }
}

extension PipelineContext {
    /// The cached features with the preprocessing so far, when the data comes from a cache.
    func cachedFeatures() throws -> CachedFeatures? {
        guard let columnCache else { return nil }
        return CachedFeatures(cache: columnCache, transforms: preprocessing, data: try requireData())
    }
}
