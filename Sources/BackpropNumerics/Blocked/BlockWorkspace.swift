/// One worker's buffers for a block of at most `capacity` rows: the block's inputs, targets and
/// row weights, and every layer's pre-activations, activations and error terms. Allocated once
/// per training run, so memory is bounded by the block size, not by the number of rows.
final class BlockWorkspace<Scalar: TrainingScalar>: @unchecked Sendable {
    /// Rows the buffers hold.
    let capacity: Int
    let inputs: UnsafeMutableBufferPointer<Scalar>
    let targets: UnsafeMutableBufferPointer<Scalar>
    let rowWeights: UnsafeMutableBufferPointer<Double>
    /// The block's positions when the batch is a range of positions (no list to borrow from).
    let positions: UnsafeMutableBufferPointer<Int>
    let preActivations: [UnsafeMutableBufferPointer<Scalar>]
    let activations: [UnsafeMutableBufferPointer<Scalar>]
    let errorTerms: [UnsafeMutableBufferPointer<Scalar>]

    /// Allocates buffers for blocks of `capacity` rows of `network`.
    init(network: ScalarNetwork<Scalar>, capacity: Int) {
        func buffer<T: Numeric>(_ count: Int) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
            buffer.initialize(repeating: 0)
            return buffer
        }
        self.capacity = capacity
        inputs = buffer(capacity * network.layers[0].inputs)
        targets = buffer(capacity * network.layers[network.layers.count - 1].outputs)
        rowWeights = buffer(capacity)
        positions = buffer(capacity)
        preActivations = network.layers.map { buffer(capacity * $0.outputs) }
        activations = network.layers.map { buffer(capacity * $0.outputs) }
        errorTerms = network.layers.map { buffer(capacity * $0.outputs) }
    }

    deinit {
        for buffer in [inputs, targets] + preActivations + activations + errorTerms { buffer.deallocate() }
        rowWeights.deallocate()
        positions.deallocate()
    }

    /// Reads the rows at `positions` (at most `capacity`) from `source` into the block buffers,
    /// with their weights when `weighted`.
    func load(_ source: any TrainingRowSource, _ positions: UnsafeBufferPointer<Int>, weighted: Bool) throws {
        precondition(positions.count <= capacity, "block larger than its buffers")
        let rows = positions.count
        try Scalar.copyRows(
            from: source, positions,
            inputs: UnsafeMutableBufferPointer(rebasing: inputs[0..<(rows * source.inputWidth)]),
            targets: UnsafeMutableBufferPointer(rebasing: targets[0..<(rows * source.targetWidth)]))
        if weighted { try source.copyWeights(positions, into: UnsafeMutableBufferPointer(rebasing: rowWeights[0..<rows])) }
    }
}
