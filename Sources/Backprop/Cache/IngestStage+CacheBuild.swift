import FoundationEssentials

extension IngestStage {
    /// CSV bytes parsed per chunk and thread while a cache is written.
    static let cacheChunkBytesPerThread = 16 << 20

    /// Reads the CSV file a chunk at a time into a new cache file at `url`: memory holds one
    /// chunk's rows whatever the file's size. The columns are laid out for as many rows as the
    /// file has line ends, and each chunk's rows are written at their place; category labels get
    /// one code across the file (in the order first seen, as when the file is read whole). The
    /// cache holds exactly what `readCSV` would leave in memory (tested).
    ///
    /// Chunks end at line ends and are parsed in parts on `threads` threads; once a quote byte
    /// shows a line end may lie inside a field, the rest is read by one parser whose completed
    /// rows are taken out a chunk at a time.
    /// - Parameter chunkBytes: CSV bytes per chunk (by default 16 MiB per thread).
    /// - Throws: `.data` naming the file, line and column of a bad record; `.output` when the
    ///   cache cannot be written (no file is left).
    func buildCache(_ url: URL, fingerprint: CSVFingerprint, _ context: inout PipelineContext, chunkBytes: Int? = nil) throws {
        let file = Pipeline.display(path)
        let read = try readPlan(context, file: file)
        do {
            let capacity = try read.csv.lineFeeds(in: read.head.dataStart..<read.csv.size) + 1
            try Limits.reserve(capacity, bytesEach: 1, limit: Limits.cacheRows, what: "a cache of \(capacity) rows", category: .data)
            func storage(_ index: Int) -> ColumnCacheHeader.Storage {
                read.plan.roles[index] == .label ? .categories(labels: []) : .numbers
            }
            let header = ColumnCacheHeader(
                source: fingerprint, settings: cacheSettings, capacity: capacity, target: (target, storage(read.targetIndex)),
                features: read.featureIndices.map { (read.head.header[$0], storage($0)) })
            var builder = CacheBuilder(read: read, writer: try ColumnCacheWriter(header: header, to: url),
                                   markers: missingRows == .keep ? markers : nil)
            let csv = read.csv, total = csv.size, chunk = max(1, chunkBytes ?? Self.cacheChunkBytesPerThread * threads)
            var start = read.head.dataStart
            while start < total {
                var end = total
                if start + chunk < total { end = try csv.offsetAfterLineFeed(from: start + chunk) ?? total }
                let first = start
                let progress = context.ingestProgress.map { report in { @Sendable (bytes: Int) in report(first + bytes, total) } }
                let parsed = try ColumnarCSVReader.parse(csv, range: start..<end, plan: read.plan, options: options, threads: threads,
                                                         minimumPartBytes: max(1, min(ColumnarCSVReader.smallestPart, chunk / threads)), progress: progress)
                // A quote: this chunk's end may lie inside a field. One parser reads on from its start.
                if parsed.sawQuote && end < total {
                    try streamRest(from: start, chunkBytes: chunk, &builder, progress: progress)
                    break
                }
                if let failure = try ColumnarCSVReader.firstFailure(of: parsed, file: csv, plan: read.plan, options: options) { throw failure }
                try builder.take(ColumnarCSVReader.merge(parsed.sinks, plan: read.plan, file: csv, requireRows: false), records: parsed.records)
                start = end
            }
            try builder.finish(file: file, stage: self, log: context.log)
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
    }

    /// Reads from `start` to the end with one parser, taking its completed rows out every chunk.
    private func streamRest(from start: Int, chunkBytes chunk: Int, _ builder: inout CacheBuilder, progress: (@Sendable (Int) -> Void)?) throws {
        let csv = builder.read.csv, plan = builder.read.plan
        let sink = CSVColumnSink(plan: plan)
        let parser = try CSVParser(options: options, sink: sink, name: csv.name)
        var pending = 0
        func takeRows() throws {
            let part = sink.takeCompletedRows()
            try builder.take(ColumnarCSVReader.merge([part], plan: plan, file: csv, requireRows: false), records: part.records)
        }
        try csv.forEachBlock(in: start..<csv.size, blockSize: min(ColumnarCSVReader.blockSize, chunk)) { offset, block in
            guard sink.failure == nil else { return }
            if let error = parser.feed(block) {
                sink.failure = sink.failure ?? .syntax(offset: offset + error.consumed, reason: error.reason)
            }
            progress?(offset + block.count - start)
            pending += block.count
            if sink.failure == nil, pending >= chunk {
                try takeRows()
                pending = 0
            }
        }
        if sink.failure == nil, !parser.finish() { sink.failure = .unterminatedQuote }
        let whole = ColumnarCSVReader.ParsedRange(sinks: [sink], ranges: [start..<csv.size])
        if let failure = try ColumnarCSVReader.firstFailure(of: whole, file: csv, plan: plan, options: options) { throw failure }
        try takeRows()
    }
}

/// What a cache build keeps from chunk to chunk: the writer, each category column's labels
/// across the file, and the counts its messages need.
private struct CacheBuilder {
    let read: IngestStage.ReadPlan
    let writer: ColumnCacheWriter
    /// With `"missing": "keep"`: what counts as missing (such labels become the empty label, and
    /// rows without a target are left out, as `readCSV` does).
    let markers: MissingValueMarkers?
    private var labels: [Int: LabelDictionary] = [:]
    private var records = 0
    private var rowsRead = 0
    private var withoutTarget = 0
    private var idsInOrder = true

    init(read: IngestStage.ReadPlan, writer: ColumnCacheWriter, markers: MissingValueMarkers?) {
        self.read = read
        self.writer = writer
        self.markers = markers
        for index in [read.targetIndex] + read.featureIndices where read.plan.roles[index] == .label { labels[index] = LabelDictionary() }
    }

    /// Writes a chunk's rows (row ids counted from the chunk's first record, of `records`).
    mutating func take(_ chunk: CSVColumns, records chunkRecords: Int) throws {
        func values(_ index: Int) -> ColumnValues {
            let values = chunk.columns[index]!
            guard case .categorical(let local) = values else { return values }
            return .categorical(labels[index]!.encode(local, missing: markers))
        }
        let (targetIndex, featureIndices) = (read.targetIndex, read.featureIndices)
        var target = values(targetIndex), features = featureIndices.map(values)
        var rowIDs = chunk.rowIDs.map { $0 + records }
        records += chunkRecords
        rowsRead += rowIDs.count
        if markers != nil {
            let keep = IngestStage.rowsWithTarget(target)
            if keep.count < rowIDs.count {
                withoutTarget += rowIDs.count - keep.count
                target = target.subset(keep)
                features = features.map { $0.subset(keep) }
                rowIDs = keep.map { rowIDs[$0] }
            }
        }
        let first = writer.header.rows
        if idsInOrder, rowIDs.enumerated().contains(where: { $0.element != first + $0.offset }) { idsInOrder = false }
        try writer.append(target: target, features: features, rowIDs: rowIDs)
    }

    /// Checks the whole file's rows as `readCSV` does, then writes the header and renames the cache.
    mutating func finish(file: String, stage: IngestStage, log: (String) -> Void) throws {
        if rowsRead == 0 {
            throw BackpropError(.data, records == 0 ? "\(file): no data rows after the header" : "\(file): every row has a missing value")
        }
        if withoutTarget > 0 {
            log(stage.leftOutNote(withoutTarget, file: file))
            guard writer.header.rows > 0 else { throw BackpropError(.data, stage.noTargetMessage(file: file)) }
        }
        func storage(_ index: Int) throws -> ColumnCacheHeader.Storage {
            guard let dictionary = labels[index] else { return .numbers }
            guard dictionary.labels.count <= Limits.cacheLabels else {
                throw BackpropError(.data, "\(file): column '\(Limits.excerpt(read.head.header[index]))' has \(dictionary.labels.count) distinct labels, more than a cache holds (\(Limits.cacheLabels), docs/limits.md); leave 'cache' out")
            }
            return .categories(labels: dictionary.labels)
        }
        try writer.finish(targetStorage: try storage(read.targetIndex), featureStorage: try read.featureIndices.map(storage),
                          storesRowIDs: !idsInOrder)
    }
}

/// One category column's labels across a file read a chunk at a time: each chunk's codes mapped
/// to codes of the whole file, labels numbered in the order first seen.
private struct LabelDictionary {
    private var position: [String: UInt32] = [:]
    /// The labels so far, in the order first seen.
    private(set) var labels: [String] = []

    /// A chunk's values with the file's codes (missing labels as the empty label when `missing` is given).
    mutating func encode(_ chunk: CategoricalValues, missing: MissingValueMarkers?) -> CategoricalValues {
        let map = chunk.labels.map { label -> UInt32 in
            let label = missing.map { $0.isMissing(label) ? "" : label } ?? label
            if let code = position[label] { return code }
            let code = UInt32(labels.count)
            position[label] = code
            labels.append(label)
            return code
        }
        return CategoricalValues(uncheckedLabels: labels, codes: chunk.codes.map { map[Int($0)] })
    }
}
