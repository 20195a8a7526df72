/// The rows of one evaluation of a batch: positions listed one by one (a mini-batch, a sample),
/// or a run of consecutive positions (full batch), which needs no list of every row.
enum BatchRows: @unchecked Sendable {
    /// Positions listed, in batch order (borrowed for the evaluation).
    case list(UnsafeBufferPointer<Int>)
    /// Every position in the range, in order.
    case range(Range<Int>)

    /// Number of rows.
    var count: Int {
        switch self {
        case .list(let positions): return positions.count
        case .range(let range): return range.count
        }
    }

    /// The positions of the batch's rows `bounds` (offsets into the batch): the list's own
    /// memory, or for a range its positions written into `scratch` (at least `bounds.count` long).
    func positions(_ bounds: Range<Int>, scratch: UnsafeMutableBufferPointer<Int>) -> UnsafeBufferPointer<Int> {
        switch self {
        case .list(let positions):
            return UnsafeBufferPointer(rebasing: positions[bounds])
        case .range(let range):
            precondition(scratch.count >= bounds.count, "scratch too small for the block")
            for (slot, offset) in bounds.enumerated() { scratch[slot] = range.lowerBound + offset }
            return UnsafeBufferPointer(rebasing: scratch[0..<bounds.count])
        }
    }
}
