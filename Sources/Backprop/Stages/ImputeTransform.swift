import BackpropNumerics

/// Fills the missing values of one column (NaN in a numeric column, an empty label in a
/// categorical one) with a value fitted on the training rows, and optionally adds a 0/1
/// `COLUMN_missing` column right after it that says which rows were missing.
public struct ImputeTransform: FittedTransform, Equatable {
    /// `"impute"`.
    public static let kind = "impute"

    /// The value that replaces a missing one.
    public enum Fill: Equatable, Sendable {
        /// For a numeric column.
        case number(Double)
        /// For a categorical column.
        case label(String)
    }

    /// The column it fills.
    public let column: String
    /// How the fill was chosen (`mean`, `median`, `most_frequent`, `constant`), for the record.
    public let strategy: String
    /// The fill value.
    public let fill: Fill
    /// Whether a `COLUMN_missing` indicator column follows the column.
    public let indicator: Bool

    /// The name of the indicator column.
    public var indicatorName: String { "\(column)_missing" }

    /// Creates a transform from its fitted parts.
    public init(column: String, strategy: String, fill: Fill, indicator: Bool) {
        self.column = column
        self.strategy = strategy
        self.fill = fill
        self.indicator = indicator
    }

    /// Fits on `rows` of `column`: the mean, the median (GSL) or the most frequent of the values
    /// present; `constant` takes `constant` as it is. Ties of most frequent go to the smallest
    /// value (as scikit-learn's `SimpleImputer`).
    /// - Parameter group: the processes whose rows are fitted on together (see `GlobalStatistics`).
    /// - Throws: `.data` when no fitting row has a value, or the strategy does not suit the column.
    public init(fitting column: Column, rows: [Int], strategy: String, constant: JSONValue?, indicator: Bool,
                group: any ProcessGroup = SingleProcess.shared) throws {
        self.column = column.name
        self.indicator = indicator
        // A categorical column takes its most frequent label for mean and median too: say so.
        self.strategy = column.isCategorical && strategy != "constant" ? "most_frequent" : strategy
        // Reached by every process together (the statistics are global), so counting is safe.
        func noValues() throws -> BackpropError {
            let fittingRows = try GlobalStatistics.total(rows.count, group: group)
            return BackpropError(.data, "impute: column '\(column.name)' has no value in the \(fittingRows) fitting rows; use \"strategy\": \"constant\"")
        }
        switch column.values {
        case .numeric(let all):
            let present = rows.map { all[$0] }.filter { !$0.isNaN }
            switch strategy {
            case "mean":
                let (count, mean) = try GlobalStatistics.mean(present, group: group)
                guard count > 0 else { throw try noValues() }
                fill = .number(mean)
            case "median":
                guard let median = try GlobalStatistics.median(present, group: group) else { throw try noValues() }
                fill = .number(median)
            case "most_frequent":
                guard let value = try GlobalStatistics.mostFrequent(present, group: group) else { throw try noValues() }
                fill = .number(value)
            default:
                guard case .number(let value)? = constant, value.isFinite else {
                    throw BackpropError(.data, "impute: column '\(column.name)' is numeric; fill_value must be a number")
                }
                fill = .number(value)
            }
        case .categorical(let labels):
            switch strategy {
            case "mean", "median", "most_frequent":
                let counts = try GlobalStatistics.labelCounts(rows.lazy.map { labels[$0] }.filter { !$0.isEmpty }, group: group)
                guard let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else { throw try noValues() }
                fill = .label(best.key)
            default:
                switch constant {
                case .string(let text)? where !text.isEmpty: fill = .label(text)
                case .number(let n)? where n.isFinite: fill = .label(OneHotTransform.label(for: n))
                default: throw BackpropError(.data, "impute: column '\(column.name)' is categorical; fill_value must be a label")
                }
            }
        }
    }

    /// Restores a saved transform.
    public init(state: [String: JSONValue]) throws {
        guard case .string(let column)? = state["column"], case .string(let strategy)? = state["strategy"],
              ["mean", "median", "most_frequent", "constant"].contains(strategy), case .bool(let indicator)? = state["indicator"] else {
            throw BackpropError(.model, "preprocessing step 'impute': missing or malformed 'column', 'strategy' or 'indicator'")
        }
        switch state["value"] {
        case .number(let n)? where n.isFinite: fill = .number(n)
        case .string(let s)? where !s.isEmpty: fill = .label(s)
        default: throw BackpropError(.model, "preprocessing step 'impute': 'value' must be a finite number or a non-empty label")
        }
        self.column = column
        self.strategy = strategy
        self.indicator = indicator
    }

    /// The saved parameters.
    public var state: [String: JSONValue] {
        let value: JSONValue
        switch fill {
        case .number(let n): value = .number(n)
        case .label(let s): value = .string(s)
        }
        return ["column": .string(column), "strategy": .string(strategy), "value": value, "indicator": .bool(indicator)]
    }

    /// The input columns with the indicator column after `column` when there is one.
    public func outputColumns(from input: [String]) -> [String] {
        input.flatMap { $0 == column && indicator ? [$0, indicatorName] : [$0] }
    }

    /// Fills the column's missing values (and adds the indicator).
    /// - Throws: `.data` when the data has no such column or its kind differs from the fill's.
    public func apply(to data: Dataset) throws -> Dataset {
        guard let index = data.featureIndex(named: column) else {
            throw BackpropError(.data, "impute: the data has no column '\(column)'")
        }
        var result = data
        let missing: [Bool]
        switch (data.features[index].values, fill) {
        case (.numeric(let values), .number(let value)):
            missing = values.map(\.isNaN)
            result.features[index].values = .numeric(values.map { $0.isNaN ? value : $0 })
        case (.categorical(let labels), .label(let label)):
            missing = labels.map(\.isEmpty)
            result.features[index].values = .categorical(labels.map { $0.isEmpty ? label : $0 })
        default:
            throw BackpropError(.data, "impute: column '\(column)' is \(data.features[index].isCategorical ? "categorical" : "numeric") but its fill value is not")
        }
        if indicator {
            result.features.insert(Column(name: indicatorName, values: .numeric(missing.map { $0 ? 1 : 0 })), at: index + 1)
        }
        return result
    }

    /// The same, filling a numeric column where it lies (a label column is rebuilt).
    public func apply(inPlace data: inout Dataset) throws {
        guard let index = data.featureIndex(named: column), case .numeric(var values) = data.features[index].values,
              case .number(let value) = fill else {
            data = try apply(to: data)
            return
        }
        data.features[index].values = .numeric([])
        let missing = indicator ? values.map { $0.isNaN ? 1.0 : 0 } : nil
        values.withUnsafeMutableBufferPointer { buffer in
            for row in buffer.indices where buffer[row].isNaN { buffer[row] = value }
        }
        data.features[index].values = .numeric(values)
        if let missing { data.features.insert(Column(name: indicatorName, values: .numeric(missing)), at: index + 1) }
    }
}
