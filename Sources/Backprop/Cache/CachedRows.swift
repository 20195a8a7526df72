import BackpropNumerics

/// Training rows whose features are read from a cache file a block at a time (`pread`, then
/// the preprocessing), and whose targets are made for each block as it is read: besides the
/// list of positions (and weights, when given), memory stays at the work buffers of a block,
/// whatever the number of rows.
struct CachedRows: TrainingRowSource {
    private let features: CachedFeatures
    private let names: [String]
    private let targets: TargetValues
    private let classCount: Int?
    private let order: Order
    private let weights: [Double]?

    /// The dataset rows a source serves, in order.
    enum Order: Sendable {
        /// Every dataset row, in file order.
        case all
        /// The rows listed, in that order.
        case list(RowList)
        /// The rows of a set, in file order.
        case ascending(RowBitmap)
    }

    /// Creates a source.
    /// - Parameters:
    ///   - features: the cached feature columns with their preprocessing.
    ///   - names: the feature names after the preprocessing (the network's inputs, in order).
    ///   - targets: makes the targets of any dataset rows: the value, or the class code when `oneHotClasses` is set.
    ///   - oneHotClasses: expand each class code into this many 0/1 targets (softmax); nil for one target.
    ///   - order: the dataset rows this source serves, in order.
    ///   - weights: one weight per row served, or nil when every row weighs 1.
    /// - Precondition: one weight per row served; at least one class.
    init(features: CachedFeatures, names: [String], targets: TargetValues, oneHotClasses: Int?, order: Order, weights: [Double]?) {
        precondition(oneHotClasses.map { $0 > 0 } ?? true, "at least one class")
        self.features = features
        self.names = names
        self.targets = targets
        self.classCount = oneHotClasses
        self.order = order
        self.weights = weights
        precondition(weights.map { $0.count == rowCount } ?? true, "one weight per row served")
    }

    /// Number of rows.
    var rowCount: Int {
        switch order {
        case .all: return features.data.rowCount
        case .list(let rows): return rows.count
        case .ascending(let set): return set.count
        }
    }
    /// Values per input row: one per feature.
    var inputWidth: Int { names.count }
    /// Values per target row.
    var targetWidth: Int { classCount ?? 1 }
    /// Whether weights were given.
    var hasRowWeights: Bool { weights != nil }

    /// Copies the weights of the rows at `positions` (1 for each when none were given).
    func copyWeights(_ positions: UnsafeBufferPointer<Int>, into weights: UnsafeMutableBufferPointer<Double>) {
        precondition(weights.count >= positions.count, "buffer too small for the weights")
        for (slot, position) in positions.enumerated() { weights[slot] = self.weights?[position] ?? 1 }
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
        precondition(inputs.count >= requested.count * width && targets.count >= requested.count * targetWidth,
                     "buffer too small for the rows")
        let count = rowCount
        precondition(requested.allSatisfy { $0 >= 0 && $0 < count }, "row out of range")
        let rows: [Int]
        switch order {
        case .all: rows = Array(requested)
        case .list(let list): rows = requested.map { list[$0] }
        case .ascending(let set): rows = set.rows(at: requested)
        }
        for (slot, value) in try self.targets.values(at: rows).enumerated() {
            if let classCount {
                for k in 0..<classCount { targets[slot * classCount + k] = 0 }
                if value.isFinite, value >= 0, value < Double(classCount) { targets[slot * classCount + Int(value)] = 1 }
            } else {
                targets[slot] = convert(value)
            }
        }
        // The cache is read in ascending row order; `slots[k]` is where the k-th row read goes.
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
