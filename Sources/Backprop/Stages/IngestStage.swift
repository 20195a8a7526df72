import FoundationEssentials
import Glibc

/// Reads a CSV file (strictly, through libcsv) into the pipeline's dataset.
public struct IngestStage: PipelineStage {
    /// `"ingest"`.
    public static let kind = "ingest"
    /// One line for help output.
    public static let summary = "read a CSV file: feature columns and the target column"
    /// Each process reads its own share of the file when the rows are shared out.
    public static let combinesAcrossProcesses = true
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("path", "CSV file, relative to the pipeline file (required)"),
        ParameterHelp("target", "the label column (required)"),
        ParameterHelp("columns", "feature columns to keep, in order (default: all but the target)"),
        ParameterHelp("categorical", "columns holding category labels rather than numbers, the target included (default: none; a column whose first rows hold text is read as categorical, with a note)"),
        ParameterHelp("delimiter", "one-character field separator (default \",\")"),
        ParameterHelp("quote", "one-character quote (default \"\\\"\")"),
        ParameterHelp("header", "whether the first line names the columns (default true)"),
        ParameterHelp("missing", "\"error\" (default), \"drop\" or \"keep\" (NaN, or an empty label, for an impute stage; rows missing the target are left out): what to do with a row that has a missing value"),
        ParameterHelp("missing_markers", "field texts that mean a missing value besides an empty field (default [\"NA\", \"NaN\", \"N/A\", \"null\", \"?\"])"),
        ParameterHelp("threads", "parts of a large file parsed at once (default: the machine's cores, shared among the processes an mpirun job runs on it)"),
        ParameterHelp("cache", "true (the cache file PATH.bpcache beside the CSV) or a path relative to the pipeline file: keep the parsed columns in a binary cache, read instead of the CSV while the CSV is unchanged; the later stages then read row blocks from it, so the numbers need not fit in memory (default false; docs/cache.md)"),
    ]

    let path: URL
    let target: String
    let columns: [String]?
    let categorical: [String]
    let options: CSVOptions
    let missingRows: CSVColumnPlan.MissingRows
    let markers: MissingValueMarkers
    let threads: Int
    /// Whether `threads` is the default (then shared among the processes of a machine).
    let threadsByDefault: Bool
    /// Where the binary column cache goes, when one is asked for.
    let cacheURL: URL?

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        path = try p.path("path")
        target = try p.string("target")
        columns = p.has("columns") ? try p.strings("columns") : { _ = p.value("columns"); return nil }()
        categorical = try p.strings("categorical")
        var options = CSVOptions()
        for (field, keyPath) in [("delimiter", \CSVOptions.delimiter), ("quote", \CSVOptions.quote)] {
            guard let text = try p.optionalString(field) else { continue }
            guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\n") else {
                throw p.error("expected a single character, got \"\(text)\"", field: field)
            }
            options[keyPath: keyPath] = byte
        }
        options.header = try p.bool("header", default: true)
        if options.delimiter == options.quote { throw p.error("must differ from 'quote'", field: "delimiter") }
        self.options = options
        switch try p.optionalString("missing") ?? "error" {
        case "error": missingRows = .error
        case "drop": missingRows = .drop
        case "keep": missingRows = .keep
        case let other: throw p.error("expected \"error\", \"drop\" or \"keep\", got \"\(other)\"", field: "missing")
        }
        if p.has("missing_markers") {
            let list = try p.strings("missing_markers")
            if let bad = list.first(where: { $0.trimmingSpaces.isEmpty || $0.trimmingSpaces != $0 || $0.utf8.count > 64 }) {
                throw p.error("expected marker texts without surrounding spaces, up to 64 bytes, got \"\(bad)\"", field: "missing_markers")
            }
            markers = MissingValueMarkers(list)
        } else {
            _ = p.value("missing_markers")
            markers = .standard
        }
        threadsByDefault = !p.has("threads")
        threads = threadsByDefault ? IngestStage.cores : min(try p.integer("threads", minimum: 1), 64)
        switch p.value("cache") {
        case nil, .bool(false)?: cacheURL = nil
        case .bool(true)?: cacheURL = URL(fileURLWithPath: path.path + ".bpcache")
        case .string(let text)? where !text.isEmpty: cacheURL = p.resolve(text)
        case let other?: throw p.error("expected true, false or a path, got \(other.shortDescription)", field: "cache")
        }
        if let columns, columns.isEmpty { throw p.error("expected at least one column", field: "columns") }
        if let columns, columns.contains(target) {
            throw p.error("lists the target column '\(target)'; the target is read separately", field: "columns")
        }
    }

    /// What `run` reads: the open file, its header, and the role of every column.
    struct ReadPlan {
        var csv: CSVFile
        var head: ColumnarCSVReader.Head
        var plan: CSVColumnPlan
        var featureIndices: [Int]
        var targetIndex: Int
    }

    /// Reads the file straight into typed columns, or through the cache when one is asked for.
    public func run(_ context: inout PipelineContext) throws {
        context.columnCache = nil
        if let cacheURL {
            if context.sharesRows {
                throw context.error(.pipeline, "'cache' is not supported when several processes share the rows; leave it out under mpirun")
            }
            try runWithCache(cacheURL, &context)
        } else {
            try readCSV(&context)
        }
    }

    /// Reads the file straight into typed columns; when the processes share the rows out, each
    /// reads its own share.
    func readCSV(_ context: inout PipelineContext) throws {
        let file = Pipeline.display(path)
        let group = context.rowGroup
        var planned: ReadPlan?, failure: BackpropError?
        do {
            planned = try readPlan(context, file: file)
        } catch let error as BackpropError {
            failure = error
        } catch {
            failure = context.error(.data, "\(file): \(error)")
        }
        // Every process reaches this point before the collectives of a sharded read.
        if group.size > 1 { try group.agree(failure) } else if let failure { throw failure }
        guard let prepared = planned else { throw context.error(.data, "\(file): could not be read") }
        let (csv, head, plan, featureIndices, targetIndex) =
            (prepared.csv, prepared.head, prepared.plan, prepared.featureIndices, prepared.targetIndex)
        let totalBytes = csv.size
        var progress: (@Sendable (Int) -> Void)?
        if let report = context.ingestProgress { progress = { @Sendable bytes in report(bytes, totalBytes) } }
        let read: CSVColumns
        do {
            if group.size > 1 {
                context.log("Note: each of the \(group.size) processes reads its own share of the rows of \(file)")
                let shared = threadsByDefault ? Self.threads(cores: threads, processesOnThisMachine: Self.localProcesses) : threads
                read = try ShardedIngest.read(csv, head: head, plan: plan, options: options, threads: shared, group: group,
                                              progress: context.ingestProgress)
            } else {
                read = try ColumnarCSVReader.read(csv, head: head, plan: plan, options: options, threads: threads, progress: progress)
            }
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        var features = featureIndices.map { Column(name: head.header[$0], values: read.columns[$0]!) }
        var targetColumn = Column(name: target, values: read.columns[targetIndex]!)
        var rowIDs = read.rowIDs
        if missingRows == .keep {
            // Kept missing labels become empty labels (what the impute stage fills); rows
            // without a target cannot be learnt from or scored, so they are left out.
            features = features.map { Column(name: $0.name, values: markMissingLabels($0.values)) }
            targetColumn.values = markMissingLabels(targetColumn.values)
            let keep = Self.rowsWithTarget(targetColumn.values)
            var counts: [Int64] = [Int64(rowIDs.count - keep.count), Int64(keep.count)]  // left out, kept
            try group.sum(&counts)
            if counts[0] > 0 {
                context.log(leftOutNote(counts[0], file: file))
                guard counts[1] > 0 else { throw context.error(.data, noTargetMessage(file: file)) }
                let all = Dataset(source: file, features: features, target: targetColumn, rowIDs: rowIDs).subset(keep)
                (features, targetColumn, rowIDs) = (all.features, all.target, all.rowIDs)
            }
        }
        if group.size > 1 {
            // The same labels in the same order on every process, so a code means one label everywhere.
            var all = features + [targetColumn]
            try SharedCategories.agree(&all, group: group)
            targetColumn = all.removeLast()
            features = all
        }
        context.data = Dataset(source: file, features: features, target: targetColumn, rowIDs: rowIDs)
        context.rawInputs = features.map { ModelInput(name: $0.name, categorical: $0.isCategorical) }
        context.sourceCSV = options
        context.missingMarkers = markers
    }

    /// Opens the file, reads its header, and decides each column's role (the same on every
    /// process: text columns are detected from the file's first bytes).
    func readPlan(_ context: PipelineContext, file: String) throws -> ReadPlan {
        let csv: CSVFile, head: ColumnarCSVReader.Head
        do {
            csv = try CSVFile(path: path.path, name: file)
            head = try ColumnarCSVReader.head(of: csv, options: options)
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        // Each name's first position, found once (a search per name is quadratic in the columns).
        var positions = [String: Int](minimumCapacity: head.header.count)
        for (index, name) in head.header.enumerated() where positions[name] == nil { positions[name] = index }
        func columnIndex(_ name: String, field: String) throws -> Int {
            guard let index = positions[name] else {
                throw context.error(.data, "\(file): no column '\(name)' (from '\(field)'); the header has: \(head.header.joined(separator: ", "))")
            }
            return index
        }
        let targetIndex = try columnIndex(target, field: "target")
        for name in categorical { _ = try columnIndex(name, field: "categorical") }
        let featureNames = columns ?? head.header.filter { $0 != target }
        let featureIndices = try featureNames.map { try columnIndex($0, field: "columns") }
        guard !featureIndices.isEmpty else { throw context.error(.data, "\(file): no feature columns besides the target") }

        // Columns declared categorical, and text columns found in the first rows (each said once).
        let detected = detectText(in: [targetIndex] + featureIndices, header: head.header)
        let labelled = Set(categorical).union(detected)
        if !detected.isEmpty {
            context.log("Note: \(detected.joined(separator: ", ")) hold\(detected.count == 1 ? "s" : "") text in the first rows of \(file): read as categorical (list \(detected.count == 1 ? "it" : "them") in 'categorical' to say so)")
        }
        var plan = CSVColumnPlan(header: head.header, markers: markers, missingRows: missingRows)
        for index in featureIndices { plan.roles[index] = labelled.contains(head.header[index]) ? .label : .number }
        plan.roles[targetIndex] = labelled.contains(target) ? .label : .number
        plan.suggestCategorical[targetIndex] = false
        return ReadPlan(csv: csv, head: head, plan: plan, featureIndices: featureIndices, targetIndex: targetIndex)
    }

    /// The rows of a target column that have a value (with `"missing": "keep"`, a missing number
    /// is NaN and a missing label the empty label; such rows are left out).
    static func rowsWithTarget(_ values: ColumnValues) -> [Int] {
        switch values {
        case .numeric(let numbers): return numbers.indices.filter { !numbers[$0].isNaN }
        case .categorical(let labels): return labels.indices.filter { !labels[$0].isEmpty }
        }
    }

    /// The log line for `count` rows of `file` left out for want of a target.
    func leftOutNote(_ count: some BinaryInteger, file: String) -> String {
        "Note: \(count) rows of \(file) have no value for the target '\(target)': left out"
    }

    /// The error when no row of `file` has a target.
    func noTargetMessage(file: String) -> String {
        "\(file): no row has a value for the target '\(target)'"
    }

    /// A categorical column with its missing-value markers replaced by the empty label.
    private func markMissingLabels(_ values: ColumnValues) -> ColumnValues {
        guard case .categorical(let labels) = values, labels.labels.contains(where: { markers.isMissing($0) }) else { return values }
        return .categorical(CategoricalValues(labels.map { markers.isMissing($0) ? "" : $0 }))
    }

    /// The columns among `indices` not declared categorical whose fields in the first 256 KiB
    /// of the file are mostly text: more than half of the present fields are neither numbers
    /// nor spelled non-finite numbers (`nan`, `inf`). A stray word in a numeric column is not
    /// enough, so it stays an error naming its line and column.
    private func detectText(in indices: [Int], header: [String]) -> [String] {
        let candidates = indices.filter { !categorical.contains(header[$0]) }
        guard !candidates.isEmpty, let handle = fopen(path.path, "rb") else { return [] }
        defer { fclose(handle) }
        var buffer = [UInt8](repeating: 0, count: 262_144)
        let count = fread(&buffer, 1, buffer.count, handle)
        // Whole lines only; a sample cut inside a quoted field just detects nothing.
        guard let lastNewline = buffer[..<count].lastIndex(of: UInt8(ascii: "\n")),
              let table = try? CSVReader.parse(Data(buffer[...lastNewline]), name: path.path, options: options),
              table.header.count == header.count else { return [] }
        let spelledNumbers: Set = ["nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "+nan", "-nan"]
        return candidates.filter { index in
            var present = 0, text = 0
            for fields in table.rows {
                guard index < fields.count, let field = fields[index], !markers.isMissing(field) else { continue }
                present += 1
                if Self.number(field) == nil && !spelledNumbers.contains(field.trimmingSpaces.lowercased()) { text += 1 }
            }
            return text * 2 > present
        }.map { header[$0] }
    }

    /// Whether a text field counts as missing (see `MissingValueMarkers.standard`).
    static func isMissing(_ field: String?) -> Bool {
        MissingValueMarkers.standard.isMissing(field)
    }

    /// A finite decimal number, or nil (so "nan", "inf" and "1e999" are not numbers here).
    static func number(_ text: String) -> Double? {
        DecimalParser.finiteDouble(text.trimmingSpaces)
    }

    /// The default threads of one process when `processesOnThisMachine` processes of a job run
    /// on a machine with `cores` cores: its share of them, at least one.
    static func threads(cores: Int, processesOnThisMachine: Int) -> Int {
        max(1, cores / max(1, processesOnThisMachine))
    }

    /// The processes of this mpirun job on this machine (Open MPI's `OMPI_COMM_WORLD_LOCAL_SIZE`;
    /// 1 when it is not set or not a number).
    static var localProcesses: Int {
        guard let text = getenv("OMPI_COMM_WORLD_LOCAL_SIZE"), let count = Int(String(cString: text)), count >= 1 else { return 1 }
        return count
    }

    /// The processors online.
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
