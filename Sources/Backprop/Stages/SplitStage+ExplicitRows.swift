extension SplitStage {
    /// Finds the position of a data-row id in `data`: a binary search over the ids when they
    /// ascend (as ingest and a cache leave them: no table of every row, which data from a cache
    /// of many rows could not afford), else a table built once.
    struct RowIDLookup {
        private let data: Dataset
        private let table: [Int: Int]?

        /// Prepares the look-ups in `data`.
        init(_ data: Dataset) {
            self.data = data
            let ascending = data.rowCount < 2 || (1..<data.rowCount).allSatisfy { data.rowID(at: $0 - 1) < data.rowID(at: $0) }
            table = ascending ? nil : Dictionary(data.rowIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// The position of data row `id`, or nil when the data has no such row.
        func position(of id: Int) -> Int? {
            if let table { return table[id] }
            var low = 0, high = data.rowCount
            while low < high {
                let middle = low + (high - low) / 2
                if data.rowID(at: middle) < id { low = middle + 1 } else { high = middle }
            }
            return low < data.rowCount && data.rowID(at: low) == id ? low : nil
        }
    }

    /// The positions of `data` not in `train` (distinct positions), ascending: the default test
    /// rows of an explicit split, found with one bit per row.
    static func positions(notIn train: [Int], of data: Dataset) -> [Int] {
        var taken = [UInt64](repeating: 0, count: (data.rowCount + 63) / 64)
        for row in train { taken[row / 64] |= UInt64(1) << UInt64(row % 64) }
        return (0..<data.rowCount).filter { taken[$0 / 64] & (UInt64(1) << UInt64($0 % 64)) == 0 }
    }
}
