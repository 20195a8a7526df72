/// What the columnar reader keeps of each column of a CSV file.
public struct CSVColumnPlan: Sendable {
    /// What becomes of one column.
    public enum Role: Sendable, Equatable {
        /// Not read (its fields are only counted).
        case skip
        /// Parsed as a finite decimal number into a `Double` buffer.
        case number
        /// Kept as a category label, dictionary-encoded.
        case label
    }

    /// What to do with a row that has a missing value in a column that is read.
    public enum MissingRows: Sendable, Equatable {
        /// Stop with an error naming the line and column.
        case error
        /// Leave the row out (its row id is skipped).
        case drop
        /// Keep it: NaN in a number column, the marker text as the label.
        case keep
    }

    /// The column names, from the header.
    public var header: [String]
    /// One role per column.
    public var roles: [Role]
    /// What counts as missing.
    public var markers: MissingValueMarkers
    /// What to do with rows that have a missing value.
    public var missingRows: MissingRows
    /// Whether a number column's error adds the hint to list it in `categorical` (not for the target).
    public var suggestCategorical: [Bool]

    /// Creates a plan; every column is skipped until given a role.
    public init(header: [String], markers: MissingValueMarkers = .standard, missingRows: MissingRows = .error) {
        self.header = header
        roles = Array(repeating: .skip, count: header.count)
        suggestCategorical = Array(repeating: true, count: header.count)
        self.markers = markers
        self.missingRows = missingRows
    }
}
