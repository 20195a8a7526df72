/// A set of dataset rows as one bit per row, served in ascending order: the training rows of
/// full-batch training from a cache in file order, without a sorted copy of their list (1 bit
/// per dataset row instead of 8 bytes per training row).
struct RowBitmap: Sendable {
    private var words: [UInt64]
    /// The row of every `sampleStride`-th member (ascending): where a look-up starts.
    private var samples: [Int]
    /// Number of members.
    let count: Int

    private static let sampleStride = 4_096

    /// The set of `rows` (distinct positions in `0..<rowCount`).
    /// - Precondition: every row is in range and none is repeated.
    init(rows: some Collection<Int>, rowCount: Int) {
        var words = [UInt64](repeating: 0, count: (rowCount + 63) / 64)
        for row in rows {
            precondition(row >= 0 && row < rowCount, "row out of range")
            let bit = UInt64(1) << UInt64(row % 64)
            precondition(words[row / 64] & bit == 0, "row \(row) listed twice")
            words[row / 64] |= bit
        }
        var samples = [Int](), seen = 0
        samples.reserveCapacity(rows.count / Self.sampleStride + 1)
        for (index, word) in words.enumerated() where word != 0 {
            var rest = word
            while rest != 0 {
                if seen % Self.sampleStride == 0 { samples.append(index * 64 + rest.trailingZeroBitCount) }
                seen += 1
                rest &= rest - 1
            }
        }
        self.words = words
        self.samples = samples
        self.count = rows.count
    }

    /// Whether `row` is a member.
    func contains(_ row: Int) -> Bool {
        guard row >= 0, row / 64 < words.count else { return false }
        return words[row / 64] & (UInt64(1) << UInt64(row % 64)) != 0
    }

    /// The members at `ranks` (0-based places in ascending order), in the order asked for:
    /// each rank after the previous one costs a step to the next set bit.
    /// - Precondition: every rank is below `count`.
    func rows(at ranks: UnsafeBufferPointer<Int>) -> [Int] {
        var result = [Int](), previous: (rank: Int, row: Int)?
        result.reserveCapacity(ranks.count)
        for rank in ranks {
            precondition(rank >= 0 && rank < count, "rank out of range")
            let row: Int
            if let previous, rank == previous.rank + 1 {
                row = next(after: previous.row)
            } else {
                // From the sample before `rank`, step over members one at a time.
                var current = samples[rank / Self.sampleStride]
                for _ in 0..<(rank % Self.sampleStride) { current = next(after: current) }
                row = current
            }
            result.append(row)
            previous = (rank, row)
        }
        return result
    }

    /// The smallest member above `row` (which must exist).
    private func next(after row: Int) -> Int {
        var index = (row + 1) / 64
        var word = index < words.count ? words[index] & (~UInt64(0) << UInt64((row + 1) % 64)) : 0
        while word == 0 {
            index += 1
            word = words[index]
        }
        return index * 64 + word.trailingZeroBitCount
    }
}
