import BackpropNumerics

/// How the stages run when the data's feature columns are in a cache file: split, train and
/// evaluate read it themselves (a block of rows at a time); impute and normalize fit one column
/// at a time (a block at a time, or read whole and dropped) and only record their fitted steps, which are applied to
/// each block as it is read. Other stages (plugins, stages registered by users) read whole
/// columns in memory and are refused.
enum CachedStages {
    /// Runs `stage` on data from a cache.
    /// - Throws: `.pipeline` for a stage that cannot run on cached data.
    static func run(_ stage: any PipelineStage, _ context: inout PipelineContext) throws {
        switch stage {
        case let normalize as NormalizeStage: try normalize.runOnCache(&context)
        case let impute as ImputeStage: try impute.runOnCache(&context)
        case is IngestStage, is SplitStage, is TrainStage, is EvaluateStage: try stage.run(&context)
        default: throw context.error(.pipeline, refusal(stage, at: context.stageIndex))
        }
    }

    /// Why `stage` (at 0-based `index`) cannot run after `earlier` stages when the last ingest
    /// among them has a cache, or nil when it can: for `pipeline validate`.
    static func refusal(of stage: any PipelineStage, at index: Int, after earlier: ArraySlice<any PipelineStage>) -> String? {
        guard let ingest = earlier.last(where: { $0 is IngestStage }) as? IngestStage, ingest.cacheURL != nil else { return nil }
        switch stage {
        case is NormalizeStage, is ImputeStage, is IngestStage, is SplitStage, is TrainStage, is EvaluateStage: return nil
        default: return refusal(stage, at: index)
        }
    }

    private static func refusal(_ stage: any PipelineStage, at index: Int) -> String {
        let what = stage is PluginStage ? "plugin stage" : "stage"
        return "cache: not supported with \(what) \(index + 1) (\(type(of: stage).kind)), which needs whole columns in memory; leave 'cache' out of the ingest stage (docs/cache.md)"
    }
}

extension NormalizeStage {
    /// Fits on the training rows of the cached columns, one column at a time, and records the
    /// fitted steps: the same values as in memory to the bit (GSL's running mean, standard
    /// deviation and bounds over the same numbers in the same order, `RunningStatistics`).
    /// Without a split the training rows are the file's rows in order: each column is read a
    /// block at a time (twice to standardize) and nothing per row is kept. After a split, each
    /// column is read whole and its training rows taken in training order from it (8 bytes per
    /// row while a column is fitted, no copy of the training rows' values).
    func runOnCache(_ context: inout PipelineContext) throws {
        guard let cached = try context.cachedFeatures() else { return try run(&context) }
        let rows = context.split?.trainRows  // nil: every row, in file order
        let schema = try cached.schema()
        let columns = try resolve(schema)
        var fitted = [any FittedTransform](), constant = [String]()
        for name in columns.standardize + columns.minMax {
            let standardize = columns.standardize.contains(name)
            let statistics = try cached.statistics(of: name, rows: rows, deviations: standardize,
                                                   operation: standardize ? "standardize" : "min-max scale", schema: schema)
            if standardize {
                let count = statistics.count
                let sd = count > 1 ? statistics.sampleStandardDeviation : count == 0 ? .nan : 0
                fitted.append(try StandardizeTransform(column: name, count: count, mean: statistics.meanValue, standardDeviation: sd))
            } else {
                fitted.append(try MinMaxTransform(column: name, bounds: statistics.bounds))
            }
            if let bounds = statistics.bounds, bounds.min == bounds.max { constant.append(name) }
        }
        if !columns.oneHot.isEmpty {
            // The labels of the training rows: the column's codes, 4 bytes per row (and, without a split, a list of the rows).
            let rows = rows?.array ?? Array(0..<cached.data.rowCount)
            for name in columns.oneHot { fitted.append(try oneHot(try cached.column(named: name), rows: rows, rowID: cached.data.rowID(at:))) }
        }
        warnConstant(constant, rows: rows?.count ?? cached.data.rowCount, context)
        context.preprocessing.append(contentsOf: fitted)
    }
}

extension CachedFeatures {
    /// Rows of a column read at a time when a stage fits on every row in file order.
    static let fittingBlockRows = 65_536

    /// GSL's mean, bounds and (with `deviations`) sample standard deviation of the numeric
    /// feature `name` (after the preprocessing so far) over the training rows in training order
    /// (`rows`; nil: every row in file order, read a block at a time), without an array of the
    /// training rows' values.
    /// - Throws: `.data`, as fitting in memory does, for a categorical column or a missing value
    ///   (naming the first in training order), or when the cache cannot be read.
    func statistics(of name: String, rows: RowList?, deviations: Bool, operation: String, schema: Dataset) throws -> RunningStatistics {
        if let index = schema.featureIndex(named: name), schema.features[index].isCategorical {
            throw BackpropError(.data, "cannot \(operation) column '\(name)': it is categorical (use one_hot)")
        }
        func numbers(_ column: Column) throws -> [Double] {
            guard let values = column.numbers else {
                throw BackpropError(.data, "cannot \(operation) column '\(name)': it is categorical (use one_hot)")
            }
            return values
        }
        func missing(at position: Int) -> BackpropError {
            // Named by its data row (row id), as fitting in memory names it.
            BackpropError(.data, "cannot \(operation) column '\(name)': it has missing values (the first in data row \(data.rowID(at: position))); put an impute stage before this one")
        }
        var statistics = RunningStatistics()
        if let rows {
            let values = try numbers(try column(named: name))
            for position in rows {
                let x = values[position]
                if x.isNaN { throw missing(at: position) }
                statistics.add(x)
            }
            if deviations { statistics.addDeviations(rows.lazy.map { values[$0] }) }
            return statistics
        }
        for pass in deviations ? [1, 2] : [1] {
            for start in stride(from: 0, to: data.rowCount, by: Self.fittingBlockRows) {
                let block = try numbers(try column(named: name, rows: Array(start..<min(start + Self.fittingBlockRows, data.rowCount))))
                if pass == 2 {
                    statistics.addDeviations(block)
                    continue
                }
                if let k = block.firstIndex(where: \.isNaN) { throw missing(at: start + k) }
                statistics.add(block)
            }
        }
        return statistics
    }
}

extension ImputeStage {
    /// Fits each fill on the training rows of its cached column and records the fitted steps.
    /// The mean of a numeric column (the default) is GSL's running mean of the values present,
    /// replayed a value at a time (`RunningStatistics`: the same fill to the bit), read a block
    /// at a time without a split; the other strategies gather the training rows' values.
    func runOnCache(_ context: inout PipelineContext) throws {
        guard let cached = try context.cachedFeatures() else { return try run(&context) }
        let rows = context.split?.trainRows  // nil: every row, in file order
        let schema = try cached.schema()
        var fitted = [any FittedTransform]()
        for name in try selected(schema) {
            guard strategy == "mean", let index = schema.featureIndex(named: name), !schema.features[index].isCategorical else {
                fitted.append(try fit(try cached.column(named: name), rows: rows?.array ?? Array(0..<cached.data.rowCount)))
                continue
            }
            let (present, hasMissing) = try cached.presentValues(of: name, rows: rows)
            guard present.count > 0 else {
                throw BackpropError(.data, "impute: column '\(name)' has no value in the \(rows?.count ?? cached.data.rowCount) fitting rows; use \"strategy\": \"constant\"")
            }
            fitted.append(ImputeTransform(column: name, strategy: strategy, fill: .number(present.meanValue), indicator: indicator && hasMissing))
        }
        context.preprocessing.append(contentsOf: fitted)
    }
}

extension CachedFeatures {
    /// GSL's running mean of the values present (not NaN) of the numeric feature `name` at the
    /// training rows in training order (`rows`; nil: every row in file order, a block at a time),
    /// and whether a value is missing there.
    /// - Throws: `.data` when the cache cannot be read.
    func presentValues(of name: String, rows: RowList?) throws -> (statistics: RunningStatistics, hasMissing: Bool) {
        var statistics = RunningStatistics(), hasMissing = false
        func add(_ x: Double) {
            if x.isNaN { hasMissing = true } else { statistics.add(x) }
        }
        if let rows {
            guard let values = try column(named: name).numbers else {
                throw BackpropError(.data, "cache \(cache.name): column '\(name)' is not numeric")
            }
            for position in rows { add(values[position]) }
        } else {
            for start in stride(from: 0, to: data.rowCount, by: Self.fittingBlockRows) {
                for x in try column(named: name, rows: Array(start..<min(start + Self.fittingBlockRows, data.rowCount))).numbers ?? [] { add(x) }
            }
        }
        return (statistics, hasMissing)
    }
}
