/// Replaces a column by one 0/1 column per category (`rank_1`, `rank_2`, …), in place.
/// Categories are sorted: numerically when every label is a number, else as text. A label not
/// among them is an error, or, when `ignoresUnknown`, a row of zeros.
public struct OneHotTransform: FittedTransform, Equatable {
    /// `"one_hot"`.
    public static let kind = "one_hot"
    /// The column it encodes.
    public let column: String
    /// The categories, in output order.
    public let categories: [String]
    /// Whether a label not among `categories` encodes as all zeros (else it is an error).
    public let ignoresUnknown: Bool

    /// Fits the categories seen in `rows` of `column` (`NormalizeStage` bounds their number by
    /// `Limits.categories`).
    public init(fitting column: Column, rows: [Int], ignoreUnknown: Bool = false) {
        self.column = column.name
        self.ignoresUnknown = ignoreUnknown
        categories = Self.sorted(Self.labels(of: column, at: rows))
    }

    /// Fits the categories seen in `rows` of `column` on any process of `group` (each process's
    /// labels gathered), so that every process gets the same sorted categories.
    public init(fitting column: Column, rows: [Int], ignoreUnknown: Bool = false, group: any ProcessGroup) throws {
        self.column = column.name
        self.ignoresUnknown = ignoreUnknown
        let local = Self.labels(of: column, at: rows)
        categories = Self.sorted(group.size > 1 ? Set(try GlobalStatistics.labelCounts(local, group: group).keys) : local)
    }

    /// The distinct labels of `column` at `rows`.
    private static func labels(of column: Column, at rows: [Int]) -> Set<String> {
        switch column.values {
        case .categorical(let values):
            var used = [Bool](repeating: false, count: values.labels.count)
            for row in rows { used[Int(values.codes[row])] = true }
            return Set(values.labels.indices.lazy.filter { used[$0] }.map { values.labels[$0] })
        case .numeric(let numbers):
            return Set(rows.map { Self.label(for: numbers[$0]) })
        }
    }

    /// Restores a saved transform.
    public init(state: [String: JSONValue]) throws {
        guard case .string(let column)? = state["column"], case .array(let values)? = state["categories"],
              !values.isEmpty else {
            throw BackpropError(.model, "preprocessing step 'one_hot': missing or malformed 'column' or 'categories'")
        }
        guard values.count <= Limits.categories else {
            throw BackpropError(.model, "preprocessing step 'one_hot': \(values.count) categories, more than the limit of \(Limits.categories) (docs/limits.md)")
        }
        self.column = column
        var seen = Set<String>()
        self.categories = try values.map {
            guard case .string(let label) = $0 else {
                throw BackpropError(.model, "preprocessing step 'one_hot': categories must be strings")
            }
            guard seen.insert(label).inserted else {
                throw BackpropError(.model, "preprocessing step 'one_hot': category \"\(Limits.excerpt(label))\" appears twice")
            }
            return label
        }
        switch state["unknown"] {
        case nil, .string("error")?: ignoresUnknown = false  // model format 1 has no "unknown"
        case .string("ignore")?: ignoresUnknown = true
        default: throw BackpropError(.model, "preprocessing step 'one_hot': 'unknown' must be \"error\" or \"ignore\"")
        }
    }

    /// The saved parameters.
    public var state: [String: JSONValue] {
        ["column": .string(column), "categories": .array(categories.map { .string($0) }),
         "unknown": .string(ignoresUnknown ? "ignore" : "error")]
    }

    /// The names of the columns it makes.
    public var outputNames: [String] { categories.map { "\(column)_\($0)" } }

    /// The input columns with `column` replaced, in place, by one column per category.
    public func outputColumns(from input: [String]) -> [String] {
        input.flatMap { $0 == column ? outputNames : [$0] }
    }

    /// Encodes the column.
    /// - Throws: `.data` for a value that is not one of the fitted categories.
    public func apply(to data: Dataset) throws -> Dataset {
        guard let index = data.featureIndex(named: column) else {
            throw BackpropError(.data, "one_hot: the data has no column '\(column)'")
        }
        let (valueCount, overflow) = categories.count.multipliedReportingOverflow(by: data.rowCount)
        try Limits.reserve(overflow ? Int.max : valueCount, limit: Limits.matrixValues,
                           what: "one_hot of column '\(Limits.excerpt(column))' (\(categories.count) categories × \(data.rowCount) rows)", category: .data)
        let position = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var encoded = Array(repeating: Array(repeating: 0.0, count: data.rowCount), count: categories.count)
        func unknown(_ row: Int, _ label: String) -> BackpropError {
            BackpropError(.data,
                "\(data.source): data row \(data.rowIDs[row] + 1), column '\(column)': unknown category \"\(Limits.excerpt(label))\" (known: \(categories.joined(separator: ", ")); set \"unknown\": \"ignore\" in the normalize stage to encode it as zeros)")
        }
        switch data.features[index].values {
        case .categorical(let values):
            let categoryOfCode = values.labels.map { position[$0] }  // one look-up per label, not per row
            for (row, code) in values.codes.enumerated() {
                guard let category = categoryOfCode[Int(code)] else {
                    if ignoresUnknown { continue }
                    throw unknown(row, values[row])
                }
                encoded[category][row] = 1
            }
        case .numeric(let numbers):
            for (row, number) in numbers.enumerated() {
                let label = Self.label(for: number)
                guard let category = position[label] else {
                    if ignoresUnknown { continue }
                    throw unknown(row, label)
                }
                encoded[category][row] = 1
            }
        }
        var result = data
        result.features.replaceSubrange(index...index, with: zip(outputNames, encoded).map {
            Column(name: $0, values: .numeric($1))
        })
        return result
    }

    /// The labels of a column, one per row: its text, or its numbers written without a needless ".0".
    static func labels(_ values: ColumnValues) -> [String] {
        switch values {
        case .categorical(let labels): return Array(labels)
        case .numeric(let numbers): return numbers.map(label(for:))
        }
    }

    /// The label of a number: `2` for 2.0, `2.5` for 2.5.
    public static func label(for number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    /// Labels sorted: as numbers when every label is a number, else as text.
    static func sorted(_ labels: Set<String>) -> [String] {
        let numbers = labels.compactMap { label in Double(label).map { (label, $0) } }
        if numbers.count == labels.count { return numbers.sorted { $0.1 < $1.1 }.map(\.0) }
        return labels.sorted()
    }
}
