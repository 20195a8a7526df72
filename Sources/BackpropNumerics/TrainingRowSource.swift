/// Rows that training reads a block at a time: from memory, or streamed from a cache file.
///
/// Training never needs all rows in one matrix: it asks its source for blocks of rows in a fixed
/// order, so memory stays at one copy of the data plus work buffers of a bounded number of rows.
public protocol TrainingRowSource: Sendable {
    /// Number of rows.
    var rowCount: Int { get }
    /// Values per input row.
    var inputWidth: Int { get }
    /// Values per target row.
    var targetWidth: Int { get }

    /// Writes the rows at `positions` (0-based positions in this source), row-major, into
    /// `inputs` (`positions.count × inputWidth` values) and `targets` (`positions.count ×
    /// targetWidth` values). Safe to call from several threads at once with different buffers.
    /// - Throws: when the rows cannot be read (a cache file that went away or was cut short).
    func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>
    ) throws

    /// The same in single precision, for float32 training.
    func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
    ) throws

    /// Whether rows carry weights other than 1 (class weights, sample weights). When false,
    /// training never calls `copyWeights`.
    var hasRowWeights: Bool { get }

    /// Writes the weight of each row at `positions` into `weights` (`positions.count` values,
    /// finite and not negative). Training minimises Σ wᵢ·Lᵢ / Σ wᵢ over a batch.
    /// - Throws: when the weights cannot be read.
    func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) throws
}

extension TrainingRowSource {
    /// Rows are unweighted unless a source says otherwise.
    public var hasRowWeights: Bool { false }

    /// Every row weighs 1.
    public func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) throws {
        for slot in 0..<positions.count { weights[slot] = 1 }
    }
}

/// Rows held in two row-major matrices (inputs and targets), as small data sets and tests have them.
public struct MatrixRows: TrainingRowSource {
    /// The input rows.
    public let inputs: Matrix
    /// The target rows, one per input row.
    public let targets: Matrix
    /// One weight per row, or nil when every row weighs 1.
    public let rowWeights: [Double]?

    /// Creates a source over `inputs` and `targets`, with optional per-row `weights`.
    /// - Precondition: one target row (and one weight, when given) per input row.
    public init(inputs: Matrix, targets: Matrix, weights: [Double]? = nil) {
        precondition(inputs.rows == targets.rows, "one target row per input row")
        precondition(weights.map { $0.count == inputs.rows } ?? true, "one weight per row")
        self.inputs = inputs
        self.targets = targets
        self.rowWeights = weights
    }

    /// Whether `weights` were given.
    public var hasRowWeights: Bool { rowWeights != nil }

    /// Copies the weights of the rows at `positions` (1 for each when none were given).
    public func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) {
        for (slot, row) in positions.enumerated() { weights[slot] = rowWeights?[row] ?? 1 }
    }

    /// Number of rows.
    public var rowCount: Int { inputs.rows }
    /// Values per input row.
    public var inputWidth: Int { inputs.columns }
    /// Values per target row.
    public var targetWidth: Int { targets.columns }

    /// Copies the rows at `positions` into the buffers.
    public func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>
    ) {
        Self.gather(positions, from: self.inputs, into: inputs) { $0 }
        Self.gather(positions, from: self.targets, into: targets) { $0 }
    }

    /// Copies the rows at `positions` into the buffers, rounded to single precision.
    public func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
    ) {
        Self.gather(positions, from: self.inputs, into: inputs) { Float($0) }
        Self.gather(positions, from: self.targets, into: targets) { Float($0) }
    }

    private static func gather<Scalar>(
        _ positions: UnsafeBufferPointer<Int>, from matrix: Matrix,
        into buffer: UnsafeMutableBufferPointer<Scalar>, convert: (Double) -> Scalar
    ) {
        let width = matrix.columns
        precondition(buffer.count >= positions.count * width, "buffer too small for the rows")
        matrix.values.withUnsafeBufferPointer { values in
            for (slot, row) in positions.enumerated() {
                precondition(row >= 0 && row < matrix.rows, "row \(row) out of range")
                let (from, to) = (values.baseAddress! + row * width, buffer.baseAddress! + slot * width)
                for column in 0..<width { to[column] = convert(from[column]) }
            }
        }
    }
}
