import FoundationEssentials

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
    ]

    let path: URL
    let target: String
    let columns: [String]?
    let categorical: [String]
    let options: CSVOptions
    let dropMissing: Bool

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
        if let columns, columns.isEmpty { throw p.error("expected at least one column", field: "columns") }
        if let columns, columns.contains(target) {
            throw p.error("lists the target column '\(target)'; the target is read separately", field: "columns")
        }
    }

    /// Reads the file and types its columns.
    public func run(_ context: inout PipelineContext) throws {
        let table = try CSVReader.read(path, options: options)
        let file = Pipeline.display(path)
        func columnIndex(_ name: String, field: String) throws -> Int {
            guard let index = table.header.firstIndex(of: name) else {
                throw context.error(.data, "\(file): no column '\(name)' (from '\(field)'); the header has: \(table.header.joined(separator: ", "))")
            }
            return index
        }
        let targetIndex = try columnIndex(target, field: "target")
        for name in categorical { _ = try columnIndex(name, field: "categorical") }
        let featureNames = columns ?? table.header.filter { $0 != target }
        let featureIndices = try featureNames.map { try columnIndex($0, field: "columns") }
        guard !featureIndices.isEmpty else { throw context.error(.data, "\(file): no feature columns besides the target") }

        // Rows with a missing value: an error naming line and column, or dropped.
        let used = [targetIndex] + featureIndices
        var keep = [Int]()
        for (row, fields) in table.rows.enumerated() {
            if let missing = used.first(where: { Self.isMissing(fields[$0]) }) {
                if dropMissing { continue }
                throw context.error(.data,
                    "\(file): line \(table.lines[row]), column '\(table.header[missing])': missing value (set \"missing\": \"drop\" to skip such rows)")
            }
            keep.append(row)
        }
        guard !keep.isEmpty else { throw context.error(.data, "\(file): every row has a missing value") }

        func values(_ index: Int) throws -> ColumnValues {
            let name = table.header[index]
            if categorical.contains(name) && index != targetIndex {
                return .categorical(keep.map { String(table.rows[$0][index]!.trimmingSpaces) })
            }
            return .numeric(try keep.map { row in
                let text = table.rows[row][index]!
                guard let number = Self.number(text) else {
                    throw context.error(.data,
                        "\(file): line \(table.lines[row]), column '\(name)': expected a number, got \"\(text)\"" +
                        (index == targetIndex ? "" : " (list the column in 'categorical' if it holds labels)"))
                }
                return number
            })
        }
        let features = try featureIndices.map { Column(name: table.header[$0], values: try values($0)) }
        let targetColumn = Column(name: target, values: try values(targetIndex))
        context.data = Dataset(source: file, features: features, target: targetColumn, rowIDs: keep)
        context.rawInputs = features.map { ModelInput(name: $0.name, categorical: $0.isCategorical) }
        context.sourceCSV = options
    }

    /// Whether a field counts as missing: empty, blank, or `NA`.
    static func isMissing(_ field: String?) -> Bool {
        guard let field else { return true }
        let trimmed = field.trimmingSpaces
        return trimmed.isEmpty || trimmed == "NA"
    }

    /// A finite decimal number, or nil (so "nan", "inf" and "1e999" are not numbers here).
    static func number(_ text: String) -> Double? {
        guard let value = Double(text.trimmingSpaces), value.isFinite else { return nil }
        return value
    }
}
