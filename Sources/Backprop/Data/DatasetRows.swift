import BackpropNumerics

/// Training rows read straight from a dataset's columns at a list of row positions (a split's
/// training rows): the numbers stay where ingest put them, and each block of rows is gathered
/// into the trainer's buffers when it is needed.
public struct DatasetRows: TrainingRowSource {
    private let columns: [[Double]]
    private let targetValues: [Double]
    private let classCount: Int?
    private let positions: [Int]
    private let weights: [Double]?

    /// Creates a source.
    /// - Parameters:
    ///   - features: the feature columns, one value per dataset row each (shared, not copied).
    ///   - targets: one target per dataset row: the value, or the class code when `oneHotClasses` is set.
    ///   - oneHotClasses: expand each class code into this many 0/1 targets (softmax); nil for one target.
    ///   - positions: the dataset rows this source serves, in order.
    ///   - weights: one weight per position, or nil when every row weighs 1.
    /// - Precondition: every position is a row of every column; one weight per position.
    public init(features: [[Double]], targets: [Double], oneHotClasses: Int? = nil, positions: [Int], weights: [Double]? = nil) {
        precondition(features.allSatisfy { $0.count == targets.count }, "one value per row in every column")
        precondition(positions.allSatisfy { $0 >= 0 && $0 < targets.count }, "positions within the rows")
        precondition(weights.map { $0.count == positions.count } ?? true, "one weight per position")
        precondition(oneHotClasses.map { $0 > 0 } ?? true, "at least one class")
        columns = features
        targetValues = targets
        classCount = oneHotClasses
        self.positions = positions
        self.weights = weights
    }

    /// Number of rows.
    public var rowCount: Int { positions.count }
    /// Values per input row: one per feature column.
    public var inputWidth: Int { columns.count }
    /// Values per target row.
    public var targetWidth: Int { classCount ?? 1 }
    /// Whether weights were given.
    public var hasRowWeights: Bool { weights != nil }

    /// Copies the weights of the rows at `positions` (1 for each when none were given).
    public func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) {
        precondition(weights.count >= positions.count, "buffer too small for the weights")
        for (slot, position) in positions.enumerated() { weights[slot] = self.weights?[position] ?? 1 }
    }

    /// Copies the rows at `positions` into the buffers.
    public func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>
    ) {
        gather(positions, inputs: inputs, targets: targets) { $0 }
    }

    /// Copies the rows at `positions` into the buffers, rounded to single precision.
    public func copyRows(
        _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
    ) {
        gather(positions, inputs: inputs, targets: targets) { Float($0) }
    }

    private func gather<Scalar: BinaryFloatingPoint>(
        _ requested: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Scalar>,
        targets: UnsafeMutableBufferPointer<Scalar>, convert: (Double) -> Scalar
    ) {
        let width = columns.count, targetWidth = self.targetWidth
        precondition(inputs.count >= requested.count * width && targets.count >= requested.count * targetWidth,
                     "buffer too small for the rows")
        precondition(requested.allSatisfy { $0 >= 0 && $0 < positions.count }, "row out of range")
        positions.withUnsafeBufferPointer { positions in
            // Column by column: each column's values are read from one contiguous buffer.
            for (column, values) in columns.enumerated() {
                values.withUnsafeBufferPointer { values in
                    for (slot, position) in requested.enumerated() {
                        inputs[slot * width + column] = convert(values[positions[position]])
                    }
                }
            }
            targetValues.withUnsafeBufferPointer { values in
                for (slot, position) in requested.enumerated() {
                    let value = values[positions[position]]
                    if let classCount {
                        for k in 0..<classCount { targets[slot * classCount + k] = 0 }
                        if value.isFinite, value >= 0, value < Double(classCount) { targets[slot * classCount + Int(value)] = 1 }
                    } else {
                        targets[slot] = convert(value)
                    }
                }
            }
        }
    }
}
