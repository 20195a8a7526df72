import BackpropNumerics

/// Reads a number or a string from a saved transform's state.
private func field<T>(_ state: [String: JSONValue], _ name: String, _ kind: String, _ read: (JSONValue) -> T?) throws -> T {
    guard let value = state[name], let result = read(value) else {
        throw BackpropError(.model, "preprocessing step '\(kind)': missing or malformed '\(name)'")
    }
    return result
}

private func numberValue(_ value: JSONValue) -> Double? {
    if case .number(let n) = value, n.isFinite { return n }
    return nil
}

private func stringValue(_ value: JSONValue) -> String? {
    if case .string(let s) = value { return s }
    return nil
}

/// The numeric values of `column` at `rows`, or an error for a categorical column.
private func numericValues(_ column: Column, rows: [Int], operation: String) throws -> [Double] {
    guard let values = column.numbers else {
        throw BackpropError(.data, "cannot \(operation) column '\(column.name)': it is categorical (use one_hot)")
    }
    let picked = rows.map { values[$0] }
    if let missing = picked.firstIndex(where: \.isNaN) {
        throw BackpropError(.data, "cannot \(operation) column '\(column.name)': it has missing values (the first in data row \(rows[missing])); put an impute stage before this one")
    }
    return picked
}

/// Changes each value of the numeric column `name` of `data` to `transform(value)`, where it
/// lies: the dataset lets go of the column while it is changed, so no copy is made when nothing
/// else holds it.
private func updateColumn(_ data: inout Dataset, _ name: String, _ kind: String, _ transform: (Double) -> Double) throws {
    guard let index = data.featureIndex(named: name), case .numeric(var values) = data.features[index].values else {
        throw BackpropError(.data, "\(kind): the data has no numeric column '\(name)'")
    }
    data.features[index].values = .numeric([])
    values.withUnsafeMutableBufferPointer { buffer in
        for row in buffer.indices { buffer[row] = transform(buffer[row]) }
    }
    data.features[index].values = .numeric(values)
}

/// Replaces the numeric column `name` in `data` by `transform(value)`.
private func mapColumn(_ data: Dataset, _ name: String, _ kind: String, _ transform: (Double) -> Double) throws -> Dataset {
    guard let index = data.featureIndex(named: name), let values = data.features[index].numbers else {
        throw BackpropError(.data, "\(kind): the data has no numeric column '\(name)'")
    }
    var result = data
    result.features[index].values = .numeric(values.map(transform))
    return result
}

/// x → (x − mean) / standard deviation, with the sample standard deviation (n − 1) from GSL.
/// A column that does not vary over the fitting rows is only centred (scale 1), as
/// scikit-learn's `StandardScaler` does.
public struct StandardizeTransform: FittedTransform, Equatable {
    /// `"standardize"`.
    public static let kind = "standardize"
    /// The column it rescales.
    public let column: String
    /// The fitted mean.
    public let mean: Double
    /// The fitted sample standard deviation.
    public let standardDeviation: Double

    /// Fits on `rows` of `column`; a column constant over `rows` (or of one row) gets scale 1.
    /// - Parameter group: the processes whose rows are fitted on together (see `GlobalStatistics`).
    /// - Throws: for a categorical column or no rows.
    public init(fitting column: Column, rows: [Int], group: any ProcessGroup = SingleProcess.shared) throws {
        let values = try group.agreeing { try numericValues(column, rows: rows, operation: "standardize") }
        let (count, mean, sd) = try GlobalStatistics.meanAndStandardDeviation(values, group: group)
        try self.init(column: column.name, count: count, mean: mean, standardDeviation: sd)
    }

    /// A transform from the statistics of `count` fitting values computed elsewhere (a cached
    /// column read a block at a time), with the checks of fitting: `standardDeviation` 0 (one
    /// value, or a constant column) gives scale 1.
    /// - Throws: for no rows, or a mean or standard deviation that is not finite.
    init(column: String, count: Int, mean: Double, standardDeviation sd: Double) throws {
        guard count > 0 else { throw BackpropError(.data, "cannot standardize column '\(column)': no fitting rows") }
        guard mean.isFinite, sd.isFinite else {
            throw BackpropError(.data, "cannot standardize column '\(column)': its mean or standard deviation is not finite")
        }
        self.column = column
        self.mean = mean
        self.standardDeviation = sd > 0 ? sd : 1
    }

    /// Restores a saved transform.
    public init(state: [String: JSONValue]) throws {
        column = try field(state, "column", Self.kind, stringValue)
        mean = try field(state, "mean", Self.kind, numberValue)
        standardDeviation = try field(state, "std", Self.kind, numberValue)
        guard standardDeviation > 0 else { throw BackpropError(.model, "preprocessing step 'standardize': 'std' must be positive") }
    }

    /// The saved parameters.
    public var state: [String: JSONValue] {
        ["column": .string(column), "mean": .number(mean), "std": .number(standardDeviation)]
    }

    /// Standardizes the column.
    public func apply(to data: Dataset) throws -> Dataset {
        try mapColumn(data, column, Self.kind) { ($0 - mean) / standardDeviation }
    }

    /// The same, changing the column where it lies.
    public func apply(inPlace data: inout Dataset) throws {
        try updateColumn(&data, column, Self.kind) { ($0 - mean) / standardDeviation }
    }
}

/// x → (x − min) / (max − min), with the bounds of the fitting rows; x → x − min for a column
/// that does not vary over them (scale 1, as scikit-learn's `MinMaxScaler` does).
public struct MinMaxTransform: FittedTransform, Equatable {
    /// `"min_max"`.
    public static let kind = "min_max"
    /// The column it rescales.
    public let column: String
    /// The fitted minimum.
    public let minimum: Double
    /// The fitted maximum.
    public let maximum: Double

    /// The divisor: max − min, or 1 for a constant column.
    public var range: Double { maximum > minimum ? maximum - minimum : 1 }

    /// Fits on `rows` of `column`.
    /// - Parameter group: the processes whose rows are fitted on together (see `GlobalStatistics`).
    /// - Throws: for a categorical column or no rows.
    public init(fitting column: Column, rows: [Int], group: any ProcessGroup = SingleProcess.shared) throws {
        let values = try group.agreeing { try numericValues(column, rows: rows, operation: "min-max scale") }
        try self.init(column: column.name, bounds: try GlobalStatistics.bounds(values, group: group))
    }

    /// A transform from the bounds of the fitting values computed elsewhere (a cached column
    /// read a block at a time; nil for no values), with the checks of fitting.
    /// - Throws: when there are no finite bounds.
    init(column: String, bounds: (min: Double, max: Double)?) throws {
        guard let bounds, bounds.min.isFinite, bounds.max.isFinite else {
            throw BackpropError(.data, "cannot min-max scale column '\(column)': no finite fitting values")
        }
        self.column = column
        (minimum, maximum) = bounds
    }

    /// Restores a saved transform.
    public init(state: [String: JSONValue]) throws {
        column = try field(state, "column", Self.kind, stringValue)
        minimum = try field(state, "min", Self.kind, numberValue)
        maximum = try field(state, "max", Self.kind, numberValue)
        guard maximum >= minimum else { throw BackpropError(.model, "preprocessing step 'min_max': 'max' must not be below 'min'") }
    }

    /// The saved parameters.
    public var state: [String: JSONValue] {
        ["column": .string(column), "min": .number(minimum), "max": .number(maximum)]
    }

    /// Rescales the column.
    public func apply(to data: Dataset) throws -> Dataset {
        try mapColumn(data, column, Self.kind) { ($0 - minimum) / range }
    }

    /// The same, changing the column where it lies.
    public func apply(inPlace data: inout Dataset) throws {
        let (minimum, range) = (minimum, range)
        try updateColumn(&data, column, Self.kind) { ($0 - minimum) / range }
    }
}
