/// CSV read as text: a header and the data rows, each field nil where it was empty.
public struct CSVTable: Sendable {
    /// The column names from the header line (or `column1`… without a header).
    public var header: [String]
    /// The data rows; a field is nil when it was empty and unquoted.
    public var rows: [[String?]]
    /// For each data row, the 1-based line of the file where it ends.
    public var lines: [Int]
}

/// How a CSV file is read.
public struct CSVOptions: Sendable, Equatable {
    /// The field separator.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// The quote character.
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// Whether the first line names the columns.
    public var header = true

    /// The default options: comma, double quote, header line.
    public init() {}
}
