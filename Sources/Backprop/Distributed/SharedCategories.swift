/// Category labels agreed between the processes of a run: every process gets the same labels,
/// in the same order, for each categorical column, so that a code means one label everywhere
/// and label counts can be summed code by code.
enum SharedCategories {
    /// Gives every categorical column of `columns` the union of all processes' labels, in rank
    /// order and, within a rank, in the order first seen: the order one process reading the
    /// whole file would have given them. The codes of this process's rows are renumbered.
    /// - Parameter columns: the same columns, in the same order, on every process.
    /// - Throws: when the collective fails or the gathered bytes are malformed.
    static func agree(_ columns: inout [Column], group: any ProcessGroup) throws {
        let positions = columns.indices.filter { columns[$0].isCategorical }
        guard !positions.isEmpty else { return }
        var bytes = [UInt8]()
        for position in positions {
            guard case .categorical(let values) = columns[position].values else { continue }
            append(UInt32(values.labels.count), to: &bytes)
            for label in values.labels {
                append(UInt32(label.utf8.count), to: &bytes)
                bytes.append(contentsOf: label.utf8)
            }
        }
        let gathered = try group.gather(bytes).map { try decode($0, columns: positions.count) }
        for (slot, position) in positions.enumerated() {
            guard case .categorical(let values) = columns[position].values else { continue }
            var labels = [String](), index = [String: UInt32]()
            for rankLabels in gathered {
                for label in rankLabels[slot] where index[label] == nil {
                    index[label] = UInt32(labels.count)
                    labels.append(label)
                }
            }
            let renumber = values.labels.map { index[$0]! }
            columns[position].values = .categorical(CategoricalValues(uncheckedLabels: labels, codes: values.codes.map { renumber[Int($0)] }))
        }
    }

    /// How many of `rows` have each label of `values`, summed over every process (indexed by code;
    /// the labels must have been agreed first).
    static func counts(of values: CategoricalValues, rows: [Int], group: any ProcessGroup) throws -> [Int64] {
        var counts = [Int64](repeating: 0, count: values.labels.count)
        for row in rows { counts[Int(values.codes[row])] += 1 }
        try group.sum(&counts)
        return counts
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// One process's label lists, one per categorical column.
    private static func decode(_ bytes: [UInt8], columns: Int) throws -> [[String]] {
        var offset = 0
        func next() throws -> UInt32 {
            guard bytes.count - offset >= 4 else { throw malformed() }
            defer { offset += 4 }
            return bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        func malformed() -> BackpropError { BackpropError(.pipeline, "the category labels gathered from the processes are malformed") }
        var result = [[String]]()
        for _ in 0..<columns {
            let count = Int(try next())
            guard count <= bytes.count - offset else { throw malformed() }
            var labels = [String]()
            labels.reserveCapacity(count)
            for _ in 0..<count {
                let length = Int(try next())
                guard length <= bytes.count - offset else { throw malformed() }
                labels.append(String(decoding: bytes[offset..<offset + length], as: UTF8.self))
                offset += length
            }
            result.append(labels)
        }
        return result
    }
}
