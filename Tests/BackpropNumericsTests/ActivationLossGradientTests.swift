import BackpropNumerics
import XCTest

/// Backpropagation's gradients for every activation and loss, checked against central finite
/// differences of `Loss.objective` (tolerance 1e-6, relative to the larger magnitude or 1).
final class ActivationLossGradientTests: XCTestCase {
    private func randomNetwork(sizes: [Int], activations: [Activation], seed: UInt64) -> Network {
        let generator = RandomGenerator(seed: seed)
        var network = Network(
            sizes: sizes, activations: activations, bias: true,
            initialization: Array(repeating: .xavier, count: activations.count), generator: generator)
        for index in network.layers.indices {
            network.layers[index].bias = network.layers[index].bias!.map { _ in generator.gaussian(standardDeviation: 0.5) }
        }
        return network
    }

    private func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        let generator = RandomGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in generator.gaussian(standardDeviation: 1) })
    }

    /// Targets for `loss`: one-hot rows for cross-entropy, values in (0, 1) otherwise.
    private func targets(rows: Int, columns: Int, loss: Loss, seed: UInt64) -> Matrix {
        let generator = RandomGenerator(seed: seed)
        var t = Matrix(rows: rows, columns: columns)
        for row in 0..<rows {
            if loss == .crossEntropy {
                t[row, Int(generator.uniform() * Double(columns))] = 1
            } else {
                for column in 0..<columns { t[row, column] = generator.uniform() }
            }
        }
        return t
    }

    private func checkGradients(_ network: Network, loss: Loss, outputs: Int, file: StaticString = #filePath, line: UInt = #line) {
        let x = randomMatrix(rows: 5, columns: network.inputCount, seed: 11)
        let t = targets(rows: 5, columns: outputs, loss: loss, seed: 12)
        let analytic = network.gradients(inputs: x, targets: t, loss: loss).gradients
        func objective(_ n: Network) -> Double { loss.objective(predictions: n.predict(x), targets: t) }
        let h = 1e-6
        for layer in network.layers.indices {
            for i in network.layers[layer].weights.values.indices {
                var plus = network, minus = network
                plus.layers[layer].weights.values[i] += h
                minus.layers[layer].weights.values[i] -= h
                let numeric = (objective(plus) - objective(minus)) / (2 * h)
                let got = analytic.weights[layer].values[i]
                XCTAssertEqual(got, numeric, accuracy: 1e-6 * max(1, abs(numeric)), "layer \(layer + 1) weight \(i)", file: file, line: line)
            }
            for i in network.layers[layer].bias!.indices {
                var plus = network, minus = network
                plus.layers[layer].bias![i] += h
                minus.layers[layer].bias![i] -= h
                let numeric = (objective(plus) - objective(minus)) / (2 * h)
                XCTAssertEqual(analytic.bias[layer]![i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "layer \(layer + 1) bias \(i)", file: file, line: line)
            }
        }
    }

    func testEveryHiddenActivationWithMSE() {
        for activation in Activation.allCases {
            let network = randomNetwork(sizes: [3, 4, 4, 2], activations: [activation, activation, .sigmoid], seed: 3)
            checkGradients(network, loss: .meanSquaredError, outputs: 2)
        }
    }

    func testBinaryCrossEntropyWithSigmoidOutput() {
        let network = randomNetwork(sizes: [3, 4, 1], activations: [.tanh, .sigmoid], seed: 4)
        checkGradients(network, loss: .binaryCrossEntropy, outputs: 1)
    }

    func testSoftmaxWithCrossEntropy() {
        let network = randomNetwork(sizes: [4, 5, 3], activations: [.relu, .softmax], seed: 6)
        checkGradients(network, loss: .crossEntropy, outputs: 3)
    }

    func testSoftmaxWithMSEUsesItsJacobian() {
        let network = randomNetwork(sizes: [4, 5, 3], activations: [.leakyRelu, .softmax], seed: 7)
        checkGradients(network, loss: .meanSquaredError, outputs: 3)
    }

    func testSoftmaxRowsSumToOneAndSurviveLargeInputs() {
        let z = Matrix(rows: 2, columns: 3, values: [1000, 1001, 1002, -5, 0, 5])
        var a = Matrix(rows: 2, columns: 3)
        Activation.softmaxRows(z, into: &a)
        for row in 0..<2 {
            XCTAssertEqual(a[row, 0] + a[row, 1] + a[row, 2], 1, accuracy: 1e-12)
            XCTAssertTrue(a.values.allSatisfy(\.isFinite))
        }
        // Shift invariance: softmax(z + c) = softmax(z); e^0, e^1, e^2 over their sum.
        let total = 1 + exp(1.0) + exp(2.0)
        XCTAssertEqual(a[0, 2], exp(2.0) / total, accuracy: 1e-12)
        XCTAssertEqual(a[0, 0], 1 / total, accuracy: 1e-12)
    }

    func testCrossEntropyValueByHand() {
        let y = Matrix(rows: 2, columns: 3, values: [0.7, 0.2, 0.1, 0.25, 0.25, 0.5])
        let t = Matrix(rows: 2, columns: 3, values: [1, 0, 0, 0, 0, 1])
        XCTAssertEqual(Loss.crossEntropy.value(predictions: y, targets: t), -(log(0.7) + log(0.5)) / 2, accuracy: 1e-15)
    }
}
