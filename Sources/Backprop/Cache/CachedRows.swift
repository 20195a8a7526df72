import BackpropNumerics

/// Training rows whose features are read from a cache file a block at a time (`pread`, then
/// the preprocessing), and whose targets and weights are in memory: memory stays at the work
/// buffers of a block, whatever the number of rows.
struct CachedRows: TrainingRowSource {
    private let features: CachedFeatures
    private let names: [String]
    private let targets: DatasetRows
    private let positions: [Int]

    /// Creates a source.
    /// - Parameters:
    ///   - features: the cached feature columns with their preprocessing.
    ///   - names: the feature names after the preprocessing (the network's inputs, in order).
    ///   - targets: one target per dataset row: the value, or the class code when `oneHotClasses` is set.
    ///   - oneHotClasses: expand each class code into this many 0/1 targets (softmax); nil for one target.
    ///   - positions: the dataset rows this source serves, in order.
    ///   - weights: one weight per position, or nil when every row weighs 1.
    init(features: CachedFeatures, names: [String], targets: [Double], oneHotClasses: Int?, positions: [Int], weights: [Double]?) {
        self.features = features
        self.names = names
        self.targets = DatasetRows(features: [], targets: targets, oneHotClasses: oneHotClasses, positions: positions, weights: weights)
        self.positions = positions
    }

    /// Number of rows.
    var rowCount: Int { positions.count }
    /// Values per input row: one per feature.
    var inputWidth: Int { names.count }
    /// Values per target row.
    var targetWidth: Int { targets.targetWidth }
    /// Whether weights were given.
    var hasRowWeights: Bool { targets.hasRowWeights }

    /// Copies the weights of the rows at `positions`.
    func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) {
        targets.copyWeights(positions, into: weights)
    }

    /// Reads and preprocesses the rows at `positions` into the buffers.
    func copyRows(_ positions: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>) throws {
        try gather(positions, inputs: inputs, targets: targets) { $0 }
    }

    /// The same, rounded to single precision.
    func copyRows(_ positions: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>) throws {
        try gather(positions, inputs: inputs, targets: targets) { Float($0) }
    }

    private func gather<Scalar: BinaryFloatingPoint>(
        _ requested: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Scalar>,
        targets: UnsafeMutableBufferPointer<Scalar>, convert: (Double) -> Scalar
    ) throws {
        let width = names.count
        precondition(inputs.count >= requested.count * width, "buffer too small for the rows")
        var exact = [Double](repeating: 0, count: requested.count * targetWidth)
        exact.withUnsafeMutableBufferPointer { self.targets.copyRows(requested, inputs: UnsafeMutableBufferPointer(start: nil, count: 0), targets: $0) }
        for (index, value) in exact.enumerated() { targets[index] = convert(value) }
        // The cache is read in ascending row order; `slots[k]` is where the k-th row read goes.
        let rows = requested.map { positions[$0] }
        let slots = rows.indices.sorted { (rows[$0], $0) < (rows[$1], $1) }
        let block = try features.block(rows: slots.map { rows[$0] })
        guard block.featureNames == names else {
            throw BackpropError(.data, "cache \(features.cache.name): the preprocessing gave the columns \(block.featureNames.joined(separator: ", ")) for a block, not \(names.joined(separator: ", "))")
        }
        for (column, feature) in block.features.enumerated() {
            guard let values = feature.numbers else {
                throw BackpropError(.data, "column '\(feature.name)' is categorical; one-hot encode it in a normalize stage before training")
            }
            for (k, slot) in slots.enumerated() {
                let value = values[k]
                if value.isNaN {
                    throw BackpropError(.data, "feature '\(feature.name)' is missing in data row \(block.rowIDs[k]); put an impute stage before train")
                }
                inputs[slot * width + column] = convert(value)
            }
        }
    }
}
