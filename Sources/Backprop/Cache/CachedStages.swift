/// How the stages run when the data's feature columns are in a cache file: split, train and
/// evaluate read it themselves (a block of rows at a time); impute and normalize fit one column
/// at a time (read whole, then dropped) and only record their fitted steps, which are applied to
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
    /// fitted steps (the same values as in memory: the same numbers in the same order).
    func runOnCache(_ context: inout PipelineContext) throws {
        guard let cached = try context.cachedFeatures() else { return try run(&context) }
        let rows = try context.split?.train ?? Array(0..<context.requireData().rowCount)
        let columns = try resolve(try cached.schema())
        var fitted = [any FittedTransform](), constant = [String]()
        for name in columns.standardize + columns.minMax {
            let column = try cached.column(named: name)
            if columns.standardize.contains(name) {
                fitted.append(try StandardizeTransform(fitting: column, rows: rows))
            } else {
                fitted.append(try MinMaxTransform(fitting: column, rows: rows))
            }
            if Self.isConstant(column, rows: rows) { constant.append(name) }
        }
        for name in columns.oneHot { fitted.append(try oneHot(try cached.column(named: name), rows: rows)) }
        warnConstant(constant, rows: rows.count, context)
        context.preprocessing.append(contentsOf: fitted)
    }
}

extension ImputeStage {
    /// Fits each fill on the training rows of its cached column and records the fitted steps.
    func runOnCache(_ context: inout PipelineContext) throws {
        guard let cached = try context.cachedFeatures() else { return try run(&context) }
        let rows = try context.split?.train ?? Array(0..<context.requireData().rowCount)
        let fitted = try selected(try cached.schema()).map { try fit(try cached.column(named: $0), rows: rows) }
        context.preprocessing.append(contentsOf: fitted)
    }
}
