/// Positions of dataset rows, in a given order, read as a collection of `Int`: 8 bytes each, or
/// 4 when every position fits in 32 bits (the split of data read from a cache, whose row lists
/// are what a run holds per row).
public struct RowList: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case wide([Int])
        case narrow([UInt32])
    }

    private var storage: Storage

    /// The positions `rows`, 8 bytes each.
    public init(_ rows: [Int]) {
        storage = .wide(rows)
    }

    /// The positions `rows`, 4 bytes each.
    public init(narrow rows: [UInt32]) {
        storage = .narrow(rows)
    }

    /// The first position's index, 0.
    public var startIndex: Int { 0 }
    /// The number of positions.
    public var endIndex: Int {
        switch storage {
        case .wide(let rows): return rows.count
        case .narrow(let rows): return rows.count
        }
    }

    /// The position at `index`.
    public subscript(index: Int) -> Int {
        switch storage {
        case .wide(let rows): return rows[index]
        case .narrow(let rows): return Int(rows[index])
        }
    }

    /// Whether the positions are stored in 4 bytes each.
    public var isNarrow: Bool {
        if case .narrow = storage { return true }
        return false
    }

    /// The positions as an array: the stored one when they take 8 bytes each (no copy), else a
    /// copy (8 bytes per position while it is held).
    public var array: [Int] {
        switch storage {
        case .wide(let rows): return rows
        case .narrow(let rows): return rows.map { Int($0) }
        }
    }

    /// Appends `row` (stored in 8 bytes each from then on when it does not fit in 4).
    public mutating func append(_ row: Int) {
        switch storage {
        case .wide(var rows):
            storage = .wide([])
            rows.append(row)
            storage = .wide(rows)
        case .narrow(var rows):
            guard let narrow = UInt32(exactly: row) else {
                storage = .wide(rows.map { Int($0) } + [row])
                return
            }
            storage = .narrow([])
            rows.append(narrow)
            storage = .narrow(rows)
        }
    }

    /// The same positions in ascending order, stored as these are.
    public func sorted() -> RowList {
        switch storage {
        case .wide(let rows): return RowList(rows.sorted())
        case .narrow(let rows): return RowList(narrow: rows.sorted())
        }
    }
}

extension RowList: Equatable {
    /// Lists are equal when they hold the same positions in the same order, however stored.
    public static func == (lhs: RowList, rhs: RowList) -> Bool {
        lhs.elementsEqual(rhs)
    }
}
