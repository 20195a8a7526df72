/// Fills missing values (NaN in numeric columns, empty labels in categorical ones) with the
/// mean, median (GSL), most frequent value or a constant of the training rows (all rows before
/// a split), optionally adding a 0/1 `COLUMN_missing` indicator column after each column that had
/// missing values in those rows. The fitted values go into the model, so `pipeline predict` and
/// the C ABI fill missing inputs (a NaN there) the same way.
public struct ImputeStage: TransformStage {
    /// `"impute"`.
    public static let kind = "impute"
    /// One line for help output.
    public static let summary = "fill missing values with the training rows' mean, median, most frequent value or a constant"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("columns", "columns to fill: a list, or \"numeric\", \"categorical\" or \"all\" (default \"all\")"),
        ParameterHelp("except", "columns a \"numeric\", \"categorical\" or \"all\" selector leaves out (default: none)"),
        ParameterHelp("strategy", "mean (default), median, most_frequent or constant; categorical columns take their most frequent label unless constant"),
        ParameterHelp("fill_value", "the value for \"strategy\": \"constant\" (a number, or a label for categorical columns)"),
        ParameterHelp("indicator", "add a 0/1 COLUMN_missing column after each column with missing values in the fitting rows (default false)"),
    ]

    let columns: NormalizeStage.Selection
    let selectsAll: Bool
    let except: [String]
    let strategy: String
    let fillValue: JSONValue?
    let indicator: Bool

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        switch p.value("columns") {
        case nil, .string("all")?: (columns, selectsAll) = (.names([]), true)
        case .string("numeric")?: (columns, selectsAll) = (.numeric, false)
        case .string("categorical")?: (columns, selectsAll) = (.categorical, false)
        case .array?: (columns, selectsAll) = (.names(try p.strings("columns")), false)
        case let other?: throw p.error("expected an array of column names or \"numeric\", \"categorical\", \"all\", got \(other.shortDescription)", field: "columns")
        }
        except = try p.strings("except")
        if case .names(let names) = columns, !selectsAll {
            if names.isEmpty { throw p.error("expected at least one column", field: "columns") }
            if !except.isEmpty { throw p.error("only used with a \"numeric\", \"categorical\" or \"all\" selector", field: "except") }
        }
        strategy = try p.optionalString("strategy") ?? "mean"
        guard ["mean", "median", "most_frequent", "constant"].contains(strategy) else {
            throw p.error("expected one of mean, median, most_frequent, constant, got \"\(strategy)\"", field: "strategy")
        }
        fillValue = p.value("fill_value")
        if strategy == "constant" {
            switch fillValue {
            case .number(let n)? where n.isFinite: break
            case .string(let s)? where !s.isEmpty: break
            default: throw p.error("expected a number or a non-empty label for \"strategy\": \"constant\"", field: "fill_value")
            }
        } else if fillValue != nil {
            throw p.error("only used with \"strategy\": \"constant\"", field: "fill_value")
        }
        indicator = try p.bool("indicator", default: false)
    }

    /// The columns of `data` to fill.
    func selected(_ data: Dataset) throws -> [String] {
        for name in except where data.featureIndex(named: name) == nil {
            throw BackpropError(.data, "field 'except': no column '\(name)' (columns: \(data.featureNames.joined(separator: ", ")))")
        }
        switch columns {
        case .names(let names) where !selectsAll:
            for name in names where data.featureIndex(named: name) == nil {
                throw BackpropError(.data, "field 'columns': no column '\(name)' (columns: \(data.featureNames.joined(separator: ", ")))")
            }
            return names
        case .numeric: return data.features.filter { !$0.isCategorical && !except.contains($0.name) }.map(\.name)
        case .categorical: return data.features.filter { $0.isCategorical && !except.contains($0.name) }.map(\.name)
        default: return data.features.map(\.name).filter { !except.contains($0) }
        }
    }

    /// Each process fits on its own rows, combined with the others' (`GlobalStatistics`).
    public static let combinesAcrossProcesses = true

    /// Fits one fill per selected column; an indicator only for columns with a missing value
    /// in `rows`.
    public func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] {
        try fit(data, rows: rows, group: SingleProcess.shared)
    }

    /// Fits one fill per selected column on the rows of every process of `group`.
    public func fit(_ data: Dataset, rows: [Int], group: any ProcessGroup) throws -> [any FittedTransform] {
        try selected(data).map { try fit(data.features[data.featureIndex(named: $0)!], rows: rows, group: group) }
    }

    /// Fits the fill of one column on `rows` (of every process of `group`); an indicator only
    /// when a value is missing in those rows.
    func fit(_ column: Column, rows: [Int], group: any ProcessGroup = SingleProcess.shared) throws -> ImputeTransform {
        var hasMissing: Bool
        switch column.values {
        case .numeric(let values): hasMissing = rows.contains { values[$0].isNaN }
        case .categorical(let labels): hasMissing = rows.contains { labels[$0].isEmpty }
        }
        if indicator { hasMissing = try GlobalStatistics.any(hasMissing, group: group) }
        return try ImputeTransform(fitting: column, rows: rows, strategy: strategy, constant: fillValue,
                                   indicator: indicator && hasMissing, group: group)
    }
}
