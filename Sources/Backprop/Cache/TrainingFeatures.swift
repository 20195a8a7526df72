import BackpropNumerics

/// Where the train and evaluate stages read the feature rows: the dataset's columns in memory,
/// or the cache file a block at a time with the preprocessing applied as it is read.
enum TrainingFeatures {
    /// The dataset's numeric columns (shared, not copied) and their names.
    case memory(columns: [[Double]], names: [String])
    /// The cached columns and the feature names after the preprocessing.
    case cached(CachedFeatures, names: [String])

    /// The features of the context's data.
    /// - Throws: `.data` naming a categorical feature, which the network cannot take.
    init(_ context: PipelineContext) throws {
        let data = try context.requireData()
        guard let cached = try context.cachedFeatures() else {
            self = .memory(columns: try data.featureColumns(), names: data.featureNames)
            return
        }
        let schema = try cached.schema()
        if let categorical = schema.features.first(where: \.isCategorical) {
            throw BackpropError(.data, "column '\(categorical.name)' is categorical; one-hot encode it in a normalize stage before training")
        }
        self = .cached(cached, names: schema.featureNames)
    }

    /// The feature names, in input order.
    var names: [String] {
        switch self {
        case .memory(_, let names), .cached(_, let names): return names
        }
    }

    /// Whether training should take its rows in file order: full-batch training from a cache
    /// reads each block of rows in a few long reads that way (the gradient is the same sum,
    /// added in another order).
    func prefersFileOrder(batchSize: Int?) -> Bool {
        if case .cached = self { return batchSize == nil }
        return false
    }

    /// Checks that no feature is missing in `rows` (nil: every row; from a cache: checked as
    /// rows are read).
    /// - Throws: `.data` naming the feature and the data row.
    func checkPresent(_ rows: RowList?, in data: Dataset) throws {
        guard case .memory(let columns, let names) = self else { return }
        for (column, values) in columns.enumerated() {
            if let row = rows.map({ $0.first(where: { values[$0].isNaN }) }) ?? values.firstIndex(where: \.isNaN) {
                throw BackpropError(.data, "feature '\(names[column])' is missing in data row \(data.rowIDs[row]); put an impute stage before train")
            }
        }
    }

    /// Whether the features are read from a cache.
    var isCached: Bool {
        if case .cached = self { return true }
        return false
    }

    /// The rows at `positions` (nil: every dataset row, in order) as a training source.
    /// - Parameters:
    ///   - targets: the targets of the dataset rows; from a cache, made for each block as it is read.
    ///   - allTargets: in memory, `targets.allRows()` (made once, shared by the sources); nil from a cache.
    ///   - inFileOrder: from a cache, serve the rows in file order (`prefersFileOrder`): a set
    ///     of one bit per dataset row instead of a sorted copy of the list; with `weights`, the
    ///     list must be sorted already (the weights follow it).
    func rows(targets: TargetValues, allTargets: [Double]?, oneHotClasses: Int?, positions: RowList?, weights: [Double]?,
              inFileOrder: Bool = false) -> any TrainingRowSource {
        switch self {
        case .memory(let columns, _):
            guard let all = allTargets else { preconditionFailure("in memory, every row's target made once") }
            return DatasetRows(features: columns, targets: all, oneHotClasses: oneHotClasses,
                               positions: positions?.array ?? Array(all.indices), weights: weights)
        case .cached(let features, let names):
            let order: CachedRows.Order
            if let positions {
                order = inFileOrder && weights == nil ? .ascending(RowBitmap(rows: positions, rowCount: features.data.rowCount)) : .list(positions)
            } else {
                order = .all
            }
            return CachedRows(features: features, names: names, targets: targets, oneHotClasses: oneHotClasses, order: order, weights: weights)
        }
    }
}

extension PipelineContext {
    /// The network's outputs for the data rows at `rows`: from the feature matrix in memory, or
    /// from the cache a block of rows at a time.
    /// - Throws: `.data` for a categorical feature or a cache that cannot be read.
    func predictions(of network: Network, rows: [Int]) throws -> Matrix {
        let data = try requireData()
        guard let cached = try cachedFeatures() else { return network.predict(try data.featureMatrix(rows: rows)) }
        var outputs = Matrix(rows: rows.count, columns: network.outputCount)
        let slots = rows.indices.sorted { (rows[$0], $0) < (rows[$1], $1) }
        for start in stride(from: 0, to: slots.count, by: CachedFeatures.blockRows) {
            let part = Array(slots[start..<min(start + CachedFeatures.blockRows, slots.count)])
            let block = try cached.block(rows: part.map { rows[$0] })
            let predicted = network.predict(try block.featureMatrix())
            for (k, slot) in part.enumerated() {
                for output in 0..<outputs.columns { outputs[slot, output] = predicted[k, output] }
            }
        }
        return outputs
    }
}
