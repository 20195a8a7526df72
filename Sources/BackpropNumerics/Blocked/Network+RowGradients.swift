extension Network {
    /// The loss and its gradient on the rows of `rows`, computed block by block as training
    /// computes them (Σ wᵢLᵢ / Σ wᵢ with row weights; see `BlockedBatch`).
    /// - Parameters:
    ///   - precision: the precision of the work buffers and products.
    ///   - blockRows: rows per block; `threads`: workers at most (neither changes the bits
    ///     for a given `blockRows`).
    /// - Throws: `TrainingError.unreadableRows` when the source fails or its weights are bad.
    public func gradients<Source: TrainingRowSource>(
        rows: Source, loss: Loss, precision: Precision = .float64, blockRows: Int = 4_096, threads: Int = 1
    ) throws(TrainingError) -> (loss: Double, gradients: Gradients) {
        precondition(rows.rowCount > 0 && rows.inputWidth == inputCount && rows.targetWidth == outputCount, "rows fit the network")
        switch precision {
        case .float64: return try gradients(Double.self, rows, loss, blockRows, threads)
        case .float32: return try gradients(Float.self, rows, loss, blockRows, threads)
        }
    }

    private func gradients<Scalar: TrainingScalar>(
        _: Scalar.Type, _ rows: any TrainingRowSource, _ loss: Loss, _ blockRows: Int, _ threads: Int
    ) throws(TrainingError) -> (loss: Double, gradients: Gradients) {
        let batch = BlockedBatch<Scalar>(network: self, loss: loss, largestBatch: rows.rowCount, blockRows: blockRows, threads: threads)
        var gradients: Gradients? = Gradients(zerosLike: self)
        let loss = try batch.evaluate(rows, positions: .range(0..<rows.rowCount), network: self, gradients: &gradients)
        return (loss, gradients!)
    }
}
