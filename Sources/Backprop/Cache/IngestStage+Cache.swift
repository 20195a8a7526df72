import FoundationEssentials

extension IngestStage {
    /// Reads the data through the cache at `url`: from the cache when it was written from this
    /// CSV file as it is now, with these settings; otherwise from the CSV, then writes the cache.
    /// A cache that cannot be used (truncated, damaged, another version, another CSV) is named
    /// in a log line with the reason, and rebuilt.
    func runWithCache(_ url: URL, _ context: inout PipelineContext) throws {
        guard context.group.size == 1 else {
            throw context.error(.pipeline, "field 'cache': not supported when several processes run the pipeline (mpirun); leave it out")
        }
        let file = Pipeline.display(path), cacheName = Pipeline.display(url)
        let fingerprint: CSVFingerprint
        do {
            fingerprint = try CSVFingerprint(of: CSVFile(path: path.path, name: file))
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        do {
            if let cache = try ColumnCache.open(path: url.path, name: cacheName) {
                if let change = fingerprint.difference(from: cache.header.source) {
                    context.log("Cache: \(cacheName) is stale (\(change)); rebuilding it from \(file)")
                } else if cache.header.settings != cacheSettings {
                    context.log("Cache: \(cacheName) was written with other ingest settings; rebuilding it from \(file)")
                } else {
                    try cache.verify()
                    context.log("Cache: reading \(cacheName) (\(cache.header.rows) rows, \(cache.header.features.count) features) instead of \(file)")
                    try use(cache, &context)
                    return
                }
            } else {
                context.log("Cache: writing \(cacheName) from \(file)")
            }
        } catch let unusable as ColumnCacheHeader.Unusable {
            context.log("Cache: \(cacheName) cannot be used: \(unusable); rebuilding it from \(file)")
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        try buildCache(url, fingerprint: fingerprint, &context)
        do {
            // Read back as every later run will: the same rows, the same model.
            guard let cache = try ColumnCache.open(path: url.path, name: cacheName) else {
                throw BackpropError(.output, "cache \(cacheName) is gone right after it was written")
            }
            try use(cache, &context)
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        } catch let unusable as ColumnCacheHeader.Unusable {
            throw context.error(.output, "cache \(cacheName) cannot be read right after it was written: \(unusable)")
        }
    }

    /// Makes the cache the pipeline's data: the row ids in memory (only when the file stores a
    /// list of them), the target and feature columns read from the file when the later stages
    /// need them (`PipelineContext.targetColumn()`, `cachedFeatures()`).
    private func use(_ cache: ColumnCache, _ context: inout PipelineContext) throws {
        let header = cache.header
        do {
            // Rows in file order with none left out: no list of row ids.
            context.data = Dataset(source: Pipeline.display(path), features: [], targetNamed: header.target.name, rowCount: header.rows,
                                   rowIDs: header.rowIDs == nil ? nil : try cache.rowIDs())
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        context.columnCache = cache
        context.rawInputs = header.features.map { column in
            if case .categories = column.storage { return ModelInput(name: column.name, categorical: true) }
            return ModelInput(name: column.name, categorical: false)
        }
        context.sourceCSV = options
        context.missingMarkers = markers
    }

    /// The settings that decide what ingest reads from a file, as JSON text: a cache
    /// written with other settings is stale.
    var cacheSettings: String {
        let missing: String
        switch missingRows {
        case .error: missing = "error"
        case .drop: missing = "drop"
        case .keep: missing = "keep"
        }
        let settings: JSONValue = .object([
            "target": .string(target), "columns": columns.map { .array($0.map(JSONValue.string)) } ?? .null,
            "categorical": .array(categorical.sorted().map(JSONValue.string)),
            "delimiter": .number(Double(options.delimiter)), "quote": .number(Double(options.quote)), "header": .bool(options.header),
            "missing": .string(missing), "missing_markers": .array(markers.markers.map(JSONValue.string)),
        ])
        return JSONWriter.serialize(settings)
    }
}
