/// The target column of the pipeline's data, wherever its values are: in memory (the dataset's
/// column), or in a cache file, read for the rows a stage asks for, a block at a time, so that
/// nothing holds a target per row of the data.
enum TargetColumn: Sendable {
    /// The dataset's column (shared, not copied).
    case memory(Column)
    /// The target column of a cache file.
    case cached(ColumnCache)

    /// Rows a stage reads at a time when it goes over many rows.
    static let blockRows = 65_536

    /// The column's name.
    var name: String {
        switch self {
        case .memory(let column): return column.name
        case .cached(let cache): return cache.header.target.name
        }
    }

    /// Whether the column holds category labels.
    var isCategorical: Bool {
        switch self {
        case .memory(let column): return column.isCategorical
        case .cached(let cache):
            if case .categories = cache.header.target.storage { return true }
            return false
        }
    }

    /// The values at `rows` (positions in the dataset, in any order), in that order.
    /// - Throws: `.data` when the cache cannot be read or holds a category code without a label.
    func values(at rows: [Int]) throws -> ColumnValues {
        switch self {
        case .memory(let column): return column.values.subset(rows)
        case .cached(let cache):
            // The file is read in ascending row order (runs of close rows in one read each),
            // then the values are put back in the order asked for.
            if zip(rows, rows.dropFirst()).allSatisfy({ $0 <= $1 }) {
                return try rows.withUnsafeBufferPointer { try cache.values(cache.header.target, rows: $0) }
            }
            let slots = rows.indices.sorted { (rows[$0], $0) < (rows[$1], $1) }
            let read = try slots.map { rows[$0] }.withUnsafeBufferPointer { try cache.values(cache.header.target, rows: $0) }
            switch read {
            case .numeric(let sorted):
                var values = [Double](repeating: 0, count: rows.count)
                for (k, slot) in slots.enumerated() { values[slot] = sorted[k] }
                return .numeric(values)
            case .categorical(let sorted):
                var codes = [UInt32](repeating: 0, count: rows.count)
                for (k, slot) in slots.enumerated() { codes[slot] = sorted.codes[k] }
                return .categorical(CategoricalValues(uncheckedLabels: sorted.labels, codes: codes))
            }
        }
    }

    /// The column with every row's value: for the stages that need it whole (cross-validation
    /// folds), 8 bytes per row (4 for labels) while they run.
    func whole() throws -> Column {
        switch self {
        case .memory(let column): return column
        case .cached(let cache): return Column(name: name, values: try cache.values(cache.header.target))
        }
    }

    /// Calls `body` with the values of `rows` (nil: every row of `rowCount`, in order), a block of
    /// at most `blockRows` rows at a time, in the order of `rows`.
    func forEachBlock(of rows: RowList?, rowCount: Int, _ body: (ColumnValues) throws -> Void) throws {
        let count = rows?.count ?? rowCount
        for start in stride(from: 0, to: count, by: Self.blockRows) {
            let end = min(start + Self.blockRows, count)
            try body(try values(at: rows.map { Array($0[start..<end]) } ?? Array(start..<end)))
        }
    }

    /// Calls `body` with the values of the rows of `rows` (nil: every row of `rowCount`), a block
    /// of the file at a time in file order (for passes whose result does not depend on the
    /// order: counts, sets of labels): from a cache, a few long reads per block and one bit per
    /// row to know the rows; in memory, in the order of `rows`.
    func forEachBlockInFileOrder(of rows: RowList?, rowCount: Int, _ body: (ColumnValues) throws -> Void) throws {
        guard case .cached = self, let rows else { return try forEachBlock(of: rows, rowCount: rowCount, body) }
        let members = RowBitmap(rows: rows, rowCount: rowCount)
        for start in stride(from: 0, to: rowCount, by: Self.blockRows) {
            let block = (start..<min(start + Self.blockRows, rowCount)).filter(members.contains)
            if !block.isEmpty { try body(try values(at: block)) }
        }
    }
}

extension PipelineContext {
    /// The target column of the data: in memory, or in the cache the data comes from.
    func targetColumn() throws -> TargetColumn {
        if let columnCache { return .cached(columnCache) }
        return .memory(try requireData().target)
    }
}
