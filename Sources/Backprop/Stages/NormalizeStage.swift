import BackpropNumerics

/// Rescales numeric columns and one-hot encodes categorical ones. Before a split it fits on all
/// rows (as the reference does); after a split, on the training rows only.
///
/// Columns are named in lists, or chosen by a selector: `"standardize": "numeric"` (every
/// numeric column), `"one_hot": "categorical"` (every categorical column), less `except`.
/// A column that does not vary over the fitting rows is kept (centred, scale 1) and every such
/// column is named in one warning line.
public struct NormalizeStage: TransformStage {
    /// `"normalize"`.
    public static let kind = "normalize"
    /// One line for help output.
    public static let summary = "standardize, min-max scale or one-hot encode columns"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("standardize", "columns to map to (x − mean) / sample standard deviation, or \"numeric\" for every numeric column (default: none)"),
        ParameterHelp("min_max", "columns to map to (x − min) / (max − min), or \"numeric\" (default: none)"),
        ParameterHelp("one_hot", "columns to replace by a 0/1 column per category, categories sorted, or \"categorical\" for every categorical column (default: none)"),
        ParameterHelp("except", "columns a \"numeric\" or \"categorical\" selector leaves out (default: none)"),
        ParameterHelp("unknown", "a category not seen in the fitting rows: \"error\" (default) or \"ignore\" (all-zero one-hot); one word for every one_hot column or an object {column: word}"),
    ]

    /// Columns named in a list, or every column of one kind.
    enum Selection: Equatable {
        case names([String])
        case numeric
        case categorical

        var names: [String] {
            if case .names(let names) = self { return names }
            return []
        }
    }

    let standardize: Selection
    let minMax: Selection
    let oneHot: Selection
    let except: [String]
    /// Per one-hot column: whether an unknown category becomes an all-zero row.
    let ignoreUnknown: (all: Bool, columns: Set<String>)

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        func selection(_ field: String, selector: String) throws -> Selection {
            if case .string(let word)? = p.value(field) {
                guard word == selector else {
                    throw p.error("expected an array of column names or \"\(selector)\", got \"\(word)\"", field: field)
                }
                return selector == "numeric" ? .numeric : .categorical
            }
            return .names(try p.strings(field))
        }
        standardize = try selection("standardize", selector: "numeric")
        minMax = try selection("min_max", selector: "numeric")
        oneHot = try selection("one_hot", selector: "categorical")
        except = try p.strings("except")
        if standardize == .numeric && minMax == .numeric {
            throw p.error("standardize and min_max cannot both select \"numeric\"", field: "min_max")
        }
        var seen = Set<String>()
        for (field, names) in [("standardize", standardize.names), ("min_max", minMax.names), ("one_hot", oneHot.names)] {
            for name in names where !seen.insert(name).inserted {
                throw p.error("column '\(name)' is listed twice across standardize, min_max and one_hot", field: field)
            }
        }
        let selects = [standardize, minMax, oneHot].contains { $0 == .numeric || $0 == .categorical }
        if !except.isEmpty && !selects {
            throw p.error("only used with a \"numeric\" or \"categorical\" selector", field: "except")
        }
        if seen.isEmpty && !selects { throw p.error("names no column; give standardize, min_max or one_hot") }
        switch p.value("unknown") {
        case nil, .string("error")?: ignoreUnknown = (false, [])
        case .string("ignore")?: ignoreUnknown = (true, [])
        case .object(let map)?:
            var columns = Set<String>()
            for (name, value) in map {
                switch value {
                case .string("ignore"): columns.insert(name)
                case .string("error"): break
                default: throw p.error("column '\(name)': expected \"error\" or \"ignore\", got \(value.shortDescription)", field: "unknown")
                }
                if case .names(let names) = oneHot, !names.contains(name) {
                    throw p.error("column '\(name)' is not in one_hot", field: "unknown")
                }
            }
            ignoreUnknown = (false, columns)
        case let other?:
            throw p.error("expected \"error\", \"ignore\" or an object {column: \"error\" | \"ignore\"}, got \(other.shortDescription)", field: "unknown")
        }
    }

    /// The columns of `data` each field applies to, checked to exist, in the data's order for
    /// selectors.
    func resolve(_ data: Dataset) throws -> (standardize: [String], minMax: [String], oneHot: [String]) {
        for name in except where data.featureIndex(named: name) == nil {
            throw BackpropError(.data, "field 'except': no column '\(name)' (columns: \(data.featureNames.joined(separator: ", ")))")
        }
        let named = Set(standardize.names + minMax.names + oneHot.names)
        func pick(_ selection: Selection, _ field: String) throws -> [String] {
            switch selection {
            case .names(let names):
                for name in names where data.featureIndex(named: name) == nil {
                    throw BackpropError(.data, "field '\(field)': no column '\(name)' (columns: \(data.featureNames.joined(separator: ", ")))")
                }
                return names
            case .numeric, .categorical:
                let wantCategorical = selection == .categorical
                return data.features.filter {
                    $0.isCategorical == wantCategorical && !except.contains($0.name) && !named.contains($0.name)
                }.map(\.name)
            }
        }
        return (try pick(standardize, "standardize"), try pick(minMax, "min_max"), try pick(oneHot, "one_hot"))
    }

    /// Each process fits on its own rows, combined with the others' (`GlobalStatistics`).
    public static let combinesAcrossProcesses = true

    /// Fits one transform per selected column.
    public func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] {
        try fit(data, rows: rows, group: SingleProcess.shared)
    }

    /// Fits one transform per selected column, on the rows of every process of `group`.
    public func fit(_ data: Dataset, rows: [Int], group: any ProcessGroup) throws -> [any FittedTransform] {
        let columns = try resolve(data)
        func column(_ name: String) -> Column { data.features[data.featureIndex(named: name)!] }
        do {
            // Name a missing value by its data row (row positions are the dataset's own, and a
            // process's own over several processes).
            try group.agreeing {
                for (operation, names) in [("standardize", columns.standardize), ("min-max scale", columns.minMax), ("one-hot encode", columns.oneHot)] {
                    for name in names {
                        let values = column(name).values
                        if let row = rows.first(where: { row in
                            switch values {
                            case .numeric(let numbers): return numbers[row].isNaN && operation != "one-hot encode"
                            case .categorical(let labels): return labels[row].isEmpty && operation == "one-hot encode"
                            }
                        }) {
                            throw BackpropError(.data, "cannot \(operation) column '\(name)': it has missing values (the first in data row \(data.rowID(at: row))); put an impute stage before this one")
                        }
                    }
                }
            }
        }
        var fitted = [any FittedTransform]()
        for name in columns.standardize { fitted.append(try StandardizeTransform(fitting: column(name), rows: rows, group: group)) }
        for name in columns.minMax { fitted.append(try MinMaxTransform(fitting: column(name), rows: rows, group: group)) }
        for name in columns.oneHot { fitted.append(try oneHot(column(name), rows: rows, group: group)) }
        return fitted
    }

    /// Fits the one-hot encoding of `column` on `rows` (of every process of `group`).
    /// - Throws: `.data` for a missing label in `rows`, or more categories than the limit.
    /// - Parameter rowID: the data row of a position, to name a missing label by.
    func oneHot(_ column: Column, rows: [Int], group: any ProcessGroup = SingleProcess.shared,
                rowID: (Int) -> Int = { $0 }) throws -> OneHotTransform {
        let name = column.name
        try group.agreeing {
            if case .categorical(let labels) = column.values, let row = rows.first(where: { labels[$0].isEmpty }) {
                throw BackpropError(.data, "cannot one-hot encode column '\(name)': it has missing values (the first in data row \(rowID(row))); put an impute stage before this one")
            }
        }
        let ignore = ignoreUnknown.all || ignoreUnknown.columns.contains(name)
        let transform = try OneHotTransform(fitting: column, rows: rows, ignoreUnknown: ignore, group: group)
        guard transform.categories.count <= Limits.categories else {
            throw BackpropError(.data, "cannot one-hot encode column '\(Limits.excerpt(name))': \(transform.categories.count) categories, more than the limit of \(Limits.categories) (docs/limits.md)")
        }
        return transform
    }

    /// The rescaled columns whose values do not vary over `rows` (of every process of `group`).
    func constantColumns(_ data: Dataset, rows: [Int], group: any ProcessGroup = SingleProcess.shared) throws -> [String] {
        let columns = try resolve(data)
        guard group.size > 1 else {
            return (columns.standardize + columns.minMax).filter { Self.isConstant(data.features[data.featureIndex(named: $0)!], rows: rows) }
        }
        return try (columns.standardize + columns.minMax).filter { name in
            guard let values = data.features[data.featureIndex(named: name)!].numbers,
                  let bounds = try GlobalStatistics.bounds(rows.map { values[$0] }, group: group) else { return false }
            return bounds.min == bounds.max
        }
    }

    /// Whether a numeric column's values at `rows` are all the same.
    static func isConstant(_ column: Column, rows: [Int]) -> Bool {
        guard let values = column.numbers, let bounds = Statistics.minMax(rows.map { values[$0] }) else { return false }
        return bounds.min == bounds.max
    }

    /// Fits on the training rows (all rows before a split), applies the result, and warns once
    /// about the columns that do not vary.
    public func run(_ context: inout PipelineContext) throws {
        var data = try context.requireData()
        let rows = context.split?.train ?? Array(0..<data.rowCount)
        let group = context.rowGroup
        let fitted = try fit(data, rows: rows, group: group)
        let constant = try constantColumns(data, rows: rows, group: group)
        warnConstant(constant, rows: try GlobalStatistics.total(rows.count, group: group), context)
        // The context lets go of the data, so that each column is rescaled where it lies.
        context.data = nil
        for transform in fitted { try transform.apply(inPlace: &data) }
        context.data = data
        context.preprocessing.append(contentsOf: fitted)
    }

    /// Names, in one warning line, the rescaled columns that do not vary over the fitting rows.
    func warnConstant(_ constant: [String], rows: Int, _ context: PipelineContext) {
        guard !constant.isEmpty else { return }
        context.log("WARNING - \(constant.count) column\(constant.count == 1 ? "" : "s") constant over the \(rows) fitting rows, kept centred with scale 1: \(constant.joined(separator: ", "))")
    }
}
