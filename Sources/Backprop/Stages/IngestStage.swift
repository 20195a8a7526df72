import FoundationEssentials
import Glibc

/// Reads a CSV file (strictly, through libcsv) into the pipeline's dataset.
public struct IngestStage: PipelineStage {
    /// `"ingest"`.
    public static let kind = "ingest"
    /// One line for help output.
    public static let summary = "read a CSV file: feature columns and the target column"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("path", "CSV file, relative to the pipeline file (required)"),
        ParameterHelp("target", "the label column (required)"),
        ParameterHelp("columns", "feature columns to keep, in order (default: all but the target)"),
        ParameterHelp("categorical", "columns holding category labels rather than numbers (default: none)"),
        ParameterHelp("delimiter", "one-character field separator (default \",\")"),
        ParameterHelp("quote", "one-character quote (default \"\\\"\")"),
        ParameterHelp("header", "whether the first line names the columns (default true)"),
        ParameterHelp("missing", "\"error\" (default) or \"drop\": what to do with a row that has an empty or NA value"),
        ParameterHelp("threads", "parts of a large file parsed at once (default: the machine's cores)"),
    ]

    let path: URL
    let target: String
    let columns: [String]?
    let categorical: [String]
    let options: CSVOptions
    let dropMissing: Bool
    let threads: Int

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
        case "error": dropMissing = false
        case "drop": dropMissing = true
        case let other: throw p.error("expected \"error\" or \"drop\", got \"\(other)\"", field: "missing")
        }
        threads = p.has("threads") ? min(try p.integer("threads", minimum: 1), 64) : IngestStage.cores
        if let columns, columns.isEmpty { throw p.error("expected at least one column", field: "columns") }
        if let columns, columns.contains(target) {
            throw p.error("lists the target column '\(target)'; the target is read separately", field: "columns")
        }
    }

    /// Reads the file straight into typed columns.
    public func run(_ context: inout PipelineContext) throws {
        let file = Pipeline.display(path)
        let csv: CSVFile, head: ColumnarCSVReader.Head
        do {
            csv = try CSVFile(path: path.path, name: file)
            head = try ColumnarCSVReader.head(of: csv, options: options)
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        func columnIndex(_ name: String, field: String) throws -> Int {
            guard let index = head.header.firstIndex(of: name) else {
                throw context.error(.data, "\(file): no column '\(name)' (from '\(field)'); the header has: \(head.header.joined(separator: ", "))")
            }
            return index
        }
        let targetIndex = try columnIndex(target, field: "target")
        for name in categorical { _ = try columnIndex(name, field: "categorical") }
        let featureNames = columns ?? head.header.filter { $0 != target }
        let featureIndices = try featureNames.map { try columnIndex($0, field: "columns") }
        guard !featureIndices.isEmpty else { throw context.error(.data, "\(file): no feature columns besides the target") }

        var plan = CSVColumnPlan(header: head.header, markers: .standard, missingRows: dropMissing ? .drop : .error)
        for index in featureIndices { plan.roles[index] = categorical.contains(head.header[index]) ? .label : .number }
        plan.roles[targetIndex] = .number
        plan.suggestCategorical[targetIndex] = false
        let totalBytes = csv.size
        var progress: (@Sendable (Int) -> Void)?
        if let report = context.ingestProgress { progress = { @Sendable bytes in report(bytes, totalBytes) } }
        let read: CSVColumns
        do {
            read = try ColumnarCSVReader.read(csv, head: head, plan: plan, options: options, threads: threads, progress: progress)
        } catch let error as BackpropError {
            throw context.error(error.category, error.message)
        }
        let features = featureIndices.map { Column(name: head.header[$0], values: read.columns[$0]!) }
        let targetColumn = Column(name: target, values: read.columns[targetIndex]!)
        context.data = Dataset(source: file, features: features, target: targetColumn, rowIDs: read.rowIDs)
        context.rawInputs = features.map { ModelInput(name: $0.name, categorical: $0.isCategorical) }
        context.sourceCSV = options
    }

    /// Whether a text field counts as missing (see `MissingValueMarkers.standard`).
    static func isMissing(_ field: String?) -> Bool {
        MissingValueMarkers.standard.isMissing(field)
    }

    /// A finite decimal number, or nil (so "nan", "inf" and "1e999" are not numbers here).
    static func number(_ text: String) -> Double? {
        DecimalParser.finiteDouble(text.trimmingSpaces)
    }

    /// The processors online.
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
