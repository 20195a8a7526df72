/// The values of one column: numbers, or category labels kept as text.
public enum ColumnValues: Equatable, Sendable {
    /// Numeric values; NaN where a value was missing and kept.
    case numeric([Double])
    /// Category labels, as written in the source, each stored once (a code per row).
    case categorical(CategoricalValues)

    /// Category labels given one per row (encoded: each distinct label stored once).
    public static func categorical(_ labels: [String]) -> ColumnValues {
        .categorical(CategoricalValues(labels))
    }

    /// Number of rows.
    public var count: Int {
        switch self {
        case .numeric(let values): return values.count
        case .categorical(let labels): return labels.count
        }
    }

    /// The values at `rows`, in that order.
    public func subset(_ rows: [Int]) -> ColumnValues {
        switch self {
        case .numeric(let values): return .numeric(rows.map { values[$0] })
        case .categorical(let labels): return .categorical(labels.subset(rows))
        }
    }
}

/// A named column of a dataset.
public struct Column: Equatable, Sendable {
    /// The column's name (a CSV header, or a derived name such as `rank_1`).
    public var name: String
    /// Its values, one per row.
    public var values: ColumnValues

    /// Creates a column.
    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }

    /// The numeric values, or nil for a categorical column.
    public var numbers: [Double]? {
        if case .numeric(let values) = values { return values }
        return nil
    }

    /// Whether the column holds category labels.
    public var isCategorical: Bool {
        if case .categorical = values { return true }
        return false
    }
}

/// A table of feature columns and a target column, one row per record.
public struct Dataset: Equatable, Sendable {
    /// Where the rows came from, for error messages.
    public var source: String
    /// The feature columns, in input order.
    public var features: [Column]
    /// The column to predict.
    public var target: Column
    /// For each row, its 0-based index among the source file's data rows. When the rows are the
    /// file's data rows in order (data read from a cache), this list is made on each access:
    /// read one row's with `rowID(at:)`.
    public var rowIDs: [Int] {
        get { listedRowIDs ?? Array(0..<rowCount) }
        set {
            listedRowIDs = newValue
            rowCount = newValue.count
        }
    }
    /// Number of rows.
    public private(set) var rowCount: Int
    /// The row ids, or nil when they are 0..<rowCount (no list of every row).
    private var listedRowIDs: [Int]?

    /// Creates a dataset.
    /// - Precondition: every column has one value per row id.
    public init(source: String, features: [Column], target: Column, rowIDs: [Int]) {
        precondition(features.allSatisfy { $0.values.count == rowIDs.count }
            && target.values.count == rowIDs.count, "every column needs one value per row")
        self.source = source
        self.features = features
        self.target = target
        self.listedRowIDs = rowIDs
        self.rowCount = rowIDs.count
    }

    /// Creates a dataset whose rows are the source file's data rows 0..<`rowCount`, in order.
    /// - Precondition: every column has `rowCount` values.
    public init(source: String, features: [Column], target: Column, rowCount: Int) {
        precondition(features.allSatisfy { $0.values.count == rowCount }
            && target.values.count == rowCount, "every column needs one value per row")
        self.source = source
        self.features = features
        self.target = target
        self.listedRowIDs = nil
        self.rowCount = rowCount
    }

    /// Creates a dataset whose feature and target values are not held here: they stay in a
    /// cache file (read the target through `PipelineContext.targetColumn()`). `features` has
    /// `rowCount` values each, usually none; `target` has the column's name and no values.
    init(source: String, features: [Column], targetNamed targetName: String, rowCount: Int, rowIDs: [Int]?) {
        precondition(features.allSatisfy { $0.values.count == rowCount } && (rowIDs?.count ?? rowCount) == rowCount,
                     "every column needs one value per row")
        self.source = source
        self.features = features
        self.target = Column(name: targetName, values: .numeric([]))
        self.listedRowIDs = rowIDs
        self.rowCount = rowCount
    }

    /// The row id (0-based data row of the source file) of the row at `position`.
    public func rowID(at position: Int) -> Int {
        listedRowIDs?[position] ?? position
    }

    /// The same rows and target with other feature columns (one value per row each).
    public func withFeatures(_ features: [Column]) -> Dataset {
        precondition(features.allSatisfy { $0.values.count == rowCount }, "every column needs one value per row")
        var copy = self
        copy.features = features
        return copy
    }

    /// Datasets are equal when their source, columns and row ids are.
    public static func == (lhs: Dataset, rhs: Dataset) -> Bool {
        lhs.source == rhs.source && lhs.features == rhs.features && lhs.target == rhs.target
            && lhs.rowCount == rhs.rowCount && (lhs.listedRowIDs == rhs.listedRowIDs || lhs.rowIDs == rhs.rowIDs)
    }

    /// The names of the feature columns, in order.
    public var featureNames: [String] { features.map(\.name) }

    /// The index of the feature column called `name`.
    public func featureIndex(named name: String) -> Int? {
        features.firstIndex { $0.name == name }
    }

    /// The rows at `rows` (positions, not row ids), in that order.
    public func subset(_ rows: [Int]) -> Dataset {
        Dataset(
            source: source,
            features: features.map { Column(name: $0.name, values: $0.values.subset(rows)) },
            target: Column(name: target.name, values: target.values.subset(rows)),
            rowIDs: rows.map { rowID(at: $0) })
    }
}
