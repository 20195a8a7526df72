/// The rows of one epoch of mini-batches, shuffled: 4 bytes per row when the positions fit in
/// UInt32, drawn in place (the same permutation as shuffling a list of `Int`).
enum EpochOrder {
    case compact([UInt32])
    case wide([Int])

    /// A fresh shuffle of `0..<rowCount`.
    init(rowCount: Int, generator: RandomGenerator) {
        if rowCount <= Int(UInt32.max) {
            var order = [UInt32](unsafeUninitializedCapacity: rowCount) { buffer, initialized in
                for row in 0..<rowCount { buffer[row] = UInt32(truncatingIfNeeded: row) }
                initialized = rowCount
            }
            generator.shuffle(&order)
            self = .compact(order)
        } else {
            var order = Array(0..<rowCount)
            generator.shuffle(&order)
            self = .wide(order)
        }
    }

    /// The positions at `range` of the shuffled order.
    func positions(_ range: Range<Int>) -> [Int] {
        switch self {
        case .compact(let order): return order[range].map { Int($0) }
        case .wide(let order): return Array(order[range])
        }
    }
}
