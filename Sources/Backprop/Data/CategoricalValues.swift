/// The labels of a categorical column, dictionary-encoded: each distinct label stored once, and a
/// code per row. Reads as a collection of the row labels.
public struct CategoricalValues: RandomAccessCollection, ExpressibleByArrayLiteral, Equatable, Sendable {
    /// The distinct labels; a row's code is a position in this array.
    public private(set) var labels: [String]
    /// One code per row.
    public private(set) var codes: [UInt32]

    /// Encodes `rows`, one label per row.
    public init(_ rows: some Sequence<String>) {
        var position = [String: UInt32]()
        var labels = [String](), codes = [UInt32]()
        for label in rows {
            if let code = position[label] {
                codes.append(code)
            } else {
                let code = UInt32(labels.count)
                position[label] = code
                labels.append(label)
                codes.append(code)
            }
        }
        self.labels = labels
        self.codes = codes
    }

    /// Encodes the listed labels.
    public init(arrayLiteral rows: String...) { self.init(rows) }

    /// Wraps codes already made.
    /// - Precondition: every code is a position in `labels`.
    public init(labels: [String], codes: [UInt32]) {
        precondition(codes.allSatisfy { Int($0) < labels.count }, "every code names a label")
        self.labels = labels
        self.codes = codes
    }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of rows.
    public var endIndex: Int { codes.count }
    /// The label of row `row`.
    public subscript(row: Int) -> String { labels[Int(codes[row])] }

    /// The rows at `rows`, in that order (the labels are shared, not copied).
    public func subset(_ rows: [Int]) -> CategoricalValues {
        CategoricalValues(uncheckedLabels: labels, codes: rows.map { codes[$0] })
    }

    /// Equal when the rows have the same labels, however each side numbered them.
    public static func == (lhs: CategoricalValues, rhs: CategoricalValues) -> Bool {
        if lhs.labels == rhs.labels { return lhs.codes == rhs.codes }
        return lhs.elementsEqual(rhs)
    }

    init(uncheckedLabels labels: [String], codes: [UInt32]) {
        self.labels = labels
        self.codes = codes
    }
}
