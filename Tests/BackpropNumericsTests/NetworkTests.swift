import BackpropNumerics
import XCTest

/// Hand-computed cases for the building blocks.
final class NetworkTests: XCTestCase {
    func testSigmoidAndItsDerivative() {
        XCTAssertEqual(Activation.sigmoid.apply(0), 0.5)
        XCTAssertEqual(Activation.sigmoid.apply(2), 1 / (1 + exp(-2)), accuracy: 1e-15)
        // The derivative peaks at 0.25, which is why deep sigmoid networks lose their gradient.
        XCTAssertEqual(Activation.sigmoid.derivative(z: 0, a: 0.5), 0.25)
    }

    func testForwardPassByHand() {
        // One input row [1, 2]; weights [[0.5], [-0.25]] and bias 0.1: z = 0.5 − 0.5 + 0.1 = 0.1.
        let network = Network(layers: [
            DenseLayer(weights: Matrix(rows: 2, columns: 1, values: [0.5, -0.25]), bias: [0.1], activation: .identity),
        ])
        XCTAssertEqual(network.predict(Matrix(rows: 1, columns: 2, values: [1, 2])).values[0], 0.1, accuracy: 1e-15)
    }

    func testMatrixProductThroughBLAS() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])!
        let b = Matrix([[7, 8], [9, 10], [11, 12]])!
        var c = Matrix(rows: 2, columns: 2)
        Matrix.multiply(a, b, into: &c)
        XCTAssertEqual(c.nested, [[58, 64], [139, 154]])
        var t = Matrix(rows: 3, columns: 3)
        Matrix.multiply(a, transposed: true, a, into: &t)
        XCTAssertEqual(t.nested, [[17, 22, 27], [22, 29, 36], [27, 36, 45]])
    }

    func testSeededInitializationIsReproducibleAndScaled() {
        let first = Network(sizes: [400, 50, 1], activations: [.sigmoid, .sigmoid], bias: false,
                            initialization: [.normal, .normal], generator: RandomGenerator(seed: 3))
        let second = Network(sizes: [400, 50, 1], activations: [.sigmoid, .sigmoid], bias: false,
                             initialization: [.normal, .normal], generator: RandomGenerator(seed: 3))
        XCTAssertEqual(first, second)
        let weights = first.layers[0].weights.values
        let sd = Statistics.sampleStandardDeviation(weights, mean: Statistics.mean(weights))
        // 20,000 draws with standard deviation 1/√400 = 0.05: the sample sd is within 3%.
        XCTAssertEqual(sd, 0.05, accuracy: 0.0015)
        XCTAssertNotEqual(first, Network(sizes: [400, 50, 1], activations: [.sigmoid, .sigmoid], bias: false,
                                         initialization: [.normal, .normal], generator: RandomGenerator(seed: 4)))
    }

    func testLossIsRecordedEveryTenthOfTheEpochs() throws {
        var network = Network(layers: [DenseLayer(weights: Matrix(rows: 1, columns: 1, values: [0.1]), bias: nil, activation: .sigmoid)])
        let trainer = Trainer(configuration: TrainingConfiguration(epochs: 50, learningRate: 0.5))
        let losses = try trainer.train(&network, inputs: Matrix(rows: 2, columns: 1, values: [1, -1]),
                                       targets: Matrix(rows: 2, columns: 1, values: [1, 0]), generator: RandomGenerator(seed: 1))
        XCTAssertEqual(losses.map(\.epoch), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45])
        XCTAssertTrue(zip(losses, losses.dropFirst()).allSatisfy { $0.loss > $1.loss }, "a separable problem's loss falls")
    }

    func testDivergingTrainingThrowsWithTheEpoch() {
        var network = Network(layers: [DenseLayer(weights: Matrix(rows: 1, columns: 1, values: [1]), bias: nil, activation: .identity)])
        let trainer = Trainer(configuration: TrainingConfiguration(epochs: 1000, learningRate: 1e6))
        XCTAssertThrowsError(try trainer.train(&network, inputs: Matrix(rows: 1, columns: 1, values: [3]),
                                               targets: Matrix(rows: 1, columns: 1, values: [1]), generator: RandomGenerator(seed: 1))) { error in
            guard case TrainingError.nonFiniteLoss(let epoch) = error else { return XCTFail("\(error)") }
            XCTAssertLessThan(epoch, 1000)
        }
    }

    func testMiniBatchesCoverEveryRowEachEpoch() throws {
        // Mini-batch training of 7 rows in batches of 3 (3 + 3 + 1) learns the same separable
        // problem, and two runs with the same generator seed agree exactly.
        func run() throws -> Network {
            var network = Network(layers: [DenseLayer(weights: Matrix(rows: 1, columns: 1, values: [0]), bias: [0], activation: .sigmoid)])
            let inputs = Matrix(rows: 7, columns: 1, values: [-3, -2, -1, 1, 2, 3, 4])
            let targets = Matrix(rows: 7, columns: 1, values: [0, 0, 0, 1, 1, 1, 1])
            _ = try Trainer(configuration: TrainingConfiguration(epochs: 200, learningRate: 1, batchSize: 3))
                .train(&network, inputs: inputs, targets: targets, generator: RandomGenerator(seed: 9))
            return network
        }
        let first = try run()
        XCTAssertEqual(first, try run())
        XCTAssertGreaterThan(first.layers[0].weights.values[0], 1)
    }
}

/// Every shape and transposition of `Matrix.multiply`, including the thin ones routed to level-2
/// BLAS, against a plain triple loop.
final class MatrixProductTests: XCTestCase {
    private func naive(_ a: Matrix, _ ta: Bool, _ b: Matrix, _ tb: Bool) -> Matrix {
        let m = ta ? a.columns : a.rows, k = ta ? a.rows : a.columns, n = tb ? b.rows : b.columns
        var c = Matrix(rows: m, columns: n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k {
            c[i, j] += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j])
        } } }
        return c
    }

    func testAllShapesAgreeWithATripleLoop() {
        let generator = RandomGenerator(seed: 5)
        for (m, k, n) in [(1, 1, 1), (5, 3, 1), (1, 3, 4), (5, 1, 4), (4, 3, 2), (1, 1, 3), (3, 1, 1)] {
            for ta in [false, true] { for tb in [false, true] {
                let a = Matrix(rows: ta ? k : m, columns: ta ? m : k, values: (0..<(m * k)).map { _ in generator.gaussian(standardDeviation: 1) })
                let b = Matrix(rows: tb ? n : k, columns: tb ? k : n, values: (0..<(k * n)).map { _ in generator.gaussian(standardDeviation: 1) })
                let expected = naive(a, ta, b, tb)
                var c = Matrix(rows: m, columns: n, repeating: 7)
                Matrix.multiply(a, transposed: ta, b, transposed: tb, into: &c, scale: 0.5)
                for (x, y) in zip(c.values, expected.values) {
                    XCTAssertEqual(x, 0.5 * y, accuracy: 1e-12, "m \(m) k \(k) n \(n) ta \(ta) tb \(tb)")
                }
                var accumulated = Matrix(rows: m, columns: n, repeating: 1)
                Matrix.multiply(a, transposed: ta, b, transposed: tb, into: &accumulated, accumulate: true)
                for (x, y) in zip(accumulated.values, expected.values) {
                    XCTAssertEqual(x, 1 + y, accuracy: 1e-12, "accumulate: m \(m) k \(k) n \(n) ta \(ta) tb \(tb)")
                }
            } }
        }
    }
}

/// The vectorised sigmoid used in training agrees with the C library's exp to a few ulp.
final class VectorSigmoidTests: XCTestCase {
    func testVectorSigmoidMatchesTheScalarOneAcrossTheRange() {
        let z = stride(from: -800.0, through: 800.0, by: 0.0137).map { $0 } + [0, -0.0, 1e-300, -1e-300, 36.7, -745.2]
        var a = [Double](repeating: .nan, count: z.count)
        z.withUnsafeBufferPointer { zp in a.withUnsafeMutableBufferPointer { ap in Activation.sigmoid.apply(zp, into: ap) } }
        var worst = 0.0
        for (x, y) in zip(z, a) {
            let expected = 1 / (1 + exp(-x))
            XCTAssertTrue(y.isFinite && y >= 0 && y <= 1, "sigmoid(\(x)) = \(y)")
            if expected > 1e-300 { worst = max(worst, abs(y - expected) / expected) }
        }
        XCTAssertLessThan(worst, 1e-15, "largest relative difference from 1/(1+exp(−z))")
    }
}
