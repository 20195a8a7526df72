import BackpropNumerics
import XCTest

/// Training reads its rows a block at a time and spreads blocks over threads: the blocks' sums
/// are added in a fixed order, so the model does not depend on the thread count; row weights
/// give the weighted loss Σ wᵢLᵢ / Σ wᵢ and its gradient.
final class BlockedTrainingTests: XCTestCase {
    private func data(rows: Int, seed: UInt64, inputs: Int = 3) -> (x: Matrix, t: Matrix) {
        let g = RandomGenerator(seed: seed)
        let x = Matrix(rows: rows, columns: inputs, values: (0..<(rows * inputs)).map { _ in g.gaussian(standardDeviation: 1) })
        let t = Matrix(rows: rows, columns: 1, values: (0..<rows).map { x[$0, 0] - 0.5 * x[$0, 1] > 0 ? 1 : 0 })
        return (x, t)
    }

    private func network(_ sizes: [Int], hidden: Activation = .tanh, output: Activation = .sigmoid, seed: UInt64) -> Network {
        var n = Network(
            sizes: sizes, activations: Array(repeating: hidden, count: sizes.count - 2) + [output], bias: true,
            initialization: Array(repeating: .xavier, count: sizes.count - 1), generator: RandomGenerator(seed: seed))
        let g = RandomGenerator(seed: seed + 100)
        for i in n.layers.indices { n.layers[i].bias = n.layers[i].bias!.map { _ in g.gaussian(standardDeviation: 0.3) } }
        return n
    }

    private func train(threads: Int, batch: Int?, precision: Precision = .float64) throws -> Network {
        let (x, t) = data(rows: 1000, seed: 1)
        var n = network([3, 8, 4, 1], seed: 2)
        let configuration = TrainingConfiguration(
            epochs: 5, learningRate: 0.3, batchSize: batch, loss: .binaryCrossEntropy, optimizer: .adam(),
            precision: precision, threads: threads, blockRows: 64)
        _ = try Trainer(configuration: configuration).train(&n, inputs: x, targets: t, generator: RandomGenerator(seed: 3), onRecord: { _ in })
        return n
    }

    func testOneTwoAndThreeThreadsGiveTheSameWeightsBitForBit() throws {
        for batch in [nil, 300] as [Int?] {
            let one = try train(threads: 1, batch: batch)
            XCTAssertEqual(try train(threads: 2, batch: batch), one, "batch \(String(describing: batch))")
            XCTAssertEqual(try train(threads: 3, batch: batch), one, "batch \(String(describing: batch))")
        }
        XCTAssertEqual(try train(threads: 3, batch: nil, precision: .float32), try train(threads: 1, batch: nil, precision: .float32))
    }

    func testBlockedGradientIsTheWholeBatchGradient() throws {
        // tanh hidden units, and sigmoid ones (whose bias, activation and error term take the
        // fused vector kernels).
        for hidden in [Activation.tanh, .sigmoid] { try checkBlockedGradient(hidden: hidden) }
    }

    private func checkBlockedGradient(hidden: Activation) throws {
        let (x, t) = data(rows: 50, seed: 4)
        let n = network([3, 5, 1], hidden: hidden, seed: 5)
        let whole = n.gradients(inputs: x, targets: t, loss: .meanSquaredError)
        let blocked = try n.gradients(rows: MatrixRows(inputs: x, targets: t), loss: .meanSquaredError, blockRows: 7, threads: 2)
        XCTAssertEqual(blocked.loss, Loss.meanSquaredError.value(predictions: n.predict(x), targets: t), accuracy: 1e-15)
        for (got, want) in zip(blocked.gradients.weights + blocked.gradients.bias.map { Matrix(rows: 1, columns: $0!.count, values: $0!) },
                               whole.gradients.weights + whole.gradients.bias.map { Matrix(rows: 1, columns: $0!.count, values: $0!) }) {
            for (g, w) in zip(got.values, want.values) { XCTAssertEqual(g, w, accuracy: 1e-14, "\(hidden)") }
        }
    }

    /// ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) of the weighted objective's gradient
    /// against central differences of Σ wᵢ·objectiveᵢ / Σ wᵢ, computed row by row here.
    private func weightedRelativeError(_ n: Network, _ x: Matrix, _ t: Matrix, _ w: [Double], _ loss: Loss, blockRows: Int) throws -> Double {
        let analytic = try n.gradients(rows: MatrixRows(inputs: x, targets: t, weights: w), loss: loss, blockRows: blockRows).gradients
        func objective(_ m: Network) -> Double {
            var total = 0.0
            for row in 0..<x.rows {
                let y = m.predict(x.rows(at: [row]))
                total += w[row] * loss.objective(predictions: y, targets: t.rows(at: [row]))
            }
            return total / w.reduce(0, +)
        }
        let h = 1e-6
        var difference = 0.0, norms = (0.0, 0.0)
        for layer in n.layers.indices {
            for i in n.layers[layer].weights.values.indices {
                var plus = n, minus = n
                plus.layers[layer].weights.values[i] += h
                minus.layers[layer].weights.values[i] -= h
                let numeric = (objective(plus) - objective(minus)) / (2 * h), exact = analytic.weights[layer].values[i]
                difference += (numeric - exact) * (numeric - exact)
                norms = (norms.0 + numeric * numeric, norms.1 + exact * exact)
            }
            for i in n.layers[layer].bias!.indices {
                var plus = n, minus = n
                plus.layers[layer].bias![i] += h
                minus.layers[layer].bias![i] -= h
                let numeric = (objective(plus) - objective(minus)) / (2 * h), exact = analytic.bias[layer]![i]
                difference += (numeric - exact) * (numeric - exact)
                norms = (norms.0 + numeric * numeric, norms.1 + exact * exact)
            }
        }
        return difference.squareRoot() / (norms.0.squareRoot() + norms.1.squareRoot())
    }

    func testWeightedGradientsAgreeWithFiniteDifferences() throws {
        let (x, t) = data(rows: 6, seed: 6)
        let weights = [0.5, 2, 1, 0, 3, 1.25]
        for loss in [Loss.meanSquaredError, .binaryCrossEntropy] {
            XCTAssertLessThan(try weightedRelativeError(network([3, 4, 1], seed: 7), x, t, weights, loss, blockRows: 4), 1e-6, "\(loss)")
            XCTAssertLessThan(try weightedRelativeError(network([3, 4, 1], hidden: .sigmoid, seed: 7), x, t, weights, loss, blockRows: 4), 1e-6, "\(loss)")
        }
        let classes = Matrix(rows: 6, columns: 3, values: [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertLessThan(try weightedRelativeError(network([3, 4, 3], output: .softmax, seed: 8), x, classes, weights, .crossEntropy, blockRows: 4), 1e-6)
    }

    func testAWholeNumberWeightCountsLikeRepeatedRows() throws {
        let (x, t) = data(rows: 4, seed: 9)
        let n = network([3, 4, 1], seed: 10)
        let weighted = try n.gradients(rows: MatrixRows(inputs: x, targets: t, weights: [2, 1, 3, 1]), loss: .binaryCrossEntropy)
        let repeatedRows = [0, 0, 1, 2, 2, 2, 3]
        let repeated = n.gradients(inputs: x.rows(at: repeatedRows), targets: t.rows(at: repeatedRows), loss: .binaryCrossEntropy)
        XCTAssertEqual(weighted.loss, repeated.loss, accuracy: 1e-15)
        for (got, want) in zip(weighted.gradients.weights, repeated.gradients.weights) {
            for (g, w) in zip(got.values, want.values) { XCTAssertEqual(g, w, accuracy: 1e-15) }
        }
    }

    func testNegativeOrAllZeroWeightsAreRefused() {
        let (x, t) = data(rows: 3, seed: 11)
        let n = network([3, 2, 1], seed: 12)
        for weights in [[1, -1, 1], [0, 0, 0], [1, .nan, 1]] {
            XCTAssertThrowsError(try n.gradients(rows: MatrixRows(inputs: x, targets: t, weights: weights), loss: .meanSquaredError)) { error in
                guard case TrainingError.unreadableRows = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testFloat32GradientIsTheFloat64GradientToSinglePrecision() throws {
        let (x, t) = data(rows: 200, seed: 13)
        let n = network([3, 16, 1], seed: 14)
        let rows = MatrixRows(inputs: x, targets: t)
        let double = try n.gradients(rows: rows, loss: .meanSquaredError, blockRows: 64)
        let single = try n.gradients(rows: rows, loss: .meanSquaredError, precision: .float32, blockRows: 64)
        XCTAssertEqual(single.loss, double.loss, accuracy: 1e-6 * double.loss)
        let scale = double.gradients.weightNorms.max()!
        for (got, want) in zip(single.gradients.weights, double.gradients.weights) {
            for (g, w) in zip(got.values, want.values) { XCTAssertEqual(g, w, accuracy: 1e-5 * scale) }
        }
        XCTAssertNotEqual(single.gradients, double.gradients, "float32 really ran in single precision")
    }

    func testMiniBatchRecordsAreMeasuredOnAnEvenlySpacedSample() throws {
        let (x, t) = data(rows: 100, seed: 15)
        var n = network([3, 4, 1], seed: 16)
        let configuration = TrainingConfiguration(epochs: 1, learningRate: 0.1, batchSize: 10, diagnosticRows: 10)
        let history = try Trainer(configuration: configuration).train(&n, inputs: x, targets: t, generator: RandomGenerator(seed: 17), onRecord: { _ in })
        let sample = Array(stride(from: 0, to: 100, by: 10))
        let expected = n.gradients(inputs: x.rows(at: sample), targets: t.rows(at: sample), loss: .meanSquaredError)
        XCTAssertEqual(history.diagnosticRows, 10)
        XCTAssertEqual(history.records.first?.loss ?? .nan, expected.loss, accuracy: 1e-15)
        XCTAssertEqual(history.records.first?.gradientNorms ?? [], expected.gradients.weightNorms)
    }

    /// A source that fails on every read, as a cache file cut short would.
    private struct FailingRows: TrainingRowSource {
        struct Cut: Error, CustomStringConvertible { var description: String { "cache file cut short at row 3" } }
        var rowCount: Int { 5 }
        var inputWidth: Int { 3 }
        var targetWidth: Int { 1 }
        func copyRows(_ positions: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>) throws { throw Cut() }
        func copyRows(_ positions: UnsafeBufferPointer<Int>, inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>) throws { throw Cut() }
    }

    func testASourceThatFailsStopsTrainingWithItsMessage() {
        var n = network([3, 2, 1], seed: 18)
        let trainer = Trainer(configuration: TrainingConfiguration(epochs: 2, learningRate: 0.1))
        XCTAssertThrowsError(try trainer.train(&n, rows: FailingRows(), generator: RandomGenerator(seed: 1), onRecord: { _ in })) { error in
            XCTAssertEqual(error as? TrainingError, .unreadableRows("cache file cut short at row 3"))
        }
    }
}
