import BackpropNumerics
import XCTest

/// Backpropagation's gradients agree with central finite differences of the objective.
final class GradientCheckTests: XCTestCase {
    /// A 4-3-2-1 network with two hidden layers and biases, and a small batch.
    private func fixture(output: Activation = .sigmoid, hidden: Activation = .sigmoid) -> (Network, Matrix, Matrix) {
        let generator = RandomGenerator(seed: 7)
        let network = Network(
            sizes: [4, 3, 2, 1], activations: [hidden, hidden, output], bias: true,
            initialization: [.normal, .normal, .normal], generator: generator)
        var withBias = network
        for index in withBias.layers.indices {
            withBias.layers[index].bias = (0..<withBias.layers[index].outputCount).map { _ in generator.gaussian(standardDeviation: 0.5) }
        }
        let inputs = Matrix(rows: 5, columns: 4, values: (0..<20).map { _ in generator.gaussian(standardDeviation: 1) })
        let targets = Matrix(rows: 5, columns: 1, values: [0, 1, 1, 0, 1])
        return (withBias, inputs, targets)
    }

    /// The relative error ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) between backpropagation
    /// and central finite differences, over every weight and bias.
    private func maximumRelativeError(_ network: Network, _ inputs: Matrix, _ targets: Matrix, _ loss: Loss) -> Double {
        let analytic = network.gradients(inputs: inputs, targets: targets, loss: loss).gradients
        func objective(_ n: Network) -> Double { loss.objective(predictions: n.predict(inputs), targets: targets) }
        let h = 1e-6
        var difference = 0.0, numericNorm = 0.0, exactNorm = 0.0
        func compare(_ numeric: Double, _ exact: Double) {
            difference += (numeric - exact) * (numeric - exact)
            numericNorm += numeric * numeric
            exactNorm += exact * exact
        }
        for layer in network.layers.indices {
            for i in network.layers[layer].weights.values.indices {
                var plus = network, minus = network
                plus.layers[layer].weights.values[i] += h
                minus.layers[layer].weights.values[i] -= h
                compare((objective(plus) - objective(minus)) / (2 * h), analytic.weights[layer].values[i])
            }
            for i in (network.layers[layer].bias ?? []).indices {
                var plus = network, minus = network
                plus.layers[layer].bias![i] += h
                minus.layers[layer].bias![i] -= h
                compare((objective(plus) - objective(minus)) / (2 * h), analytic.bias[layer]![i])
            }
        }
        return difference.squareRoot() / (numericNorm.squareRoot() + exactNorm.squareRoot())
    }

    func testMeanSquaredErrorGradientOfTwoHiddenLayerSigmoidNetwork() {
        let (network, inputs, targets) = fixture()
        XCTAssertLessThan(maximumRelativeError(network, inputs, targets, .meanSquaredError), 1e-6)
    }

    func testCrossEntropyGradientWithSigmoidOutput() {
        let (network, inputs, targets) = fixture(hidden: .tanh)
        XCTAssertLessThan(maximumRelativeError(network, inputs, targets, .binaryCrossEntropy), 1e-6)
    }

    func testGradientThroughTanhAndIdentityLayers() {
        let (network, inputs, targets) = fixture(output: .identity, hidden: .tanh)
        XCTAssertLessThan(maximumRelativeError(network, inputs, targets, .meanSquaredError), 1e-6)
    }

    /// The check itself can fail: a wrong gradient (here, halved) is caught.
    func testTheCheckDetectsAWrongGradient() {
        let (network, inputs, targets) = fixture()
        let analytic = network.gradients(inputs: inputs, targets: targets, loss: .meanSquaredError).gradients
        var plus = network, minus = network
        plus.layers[0].weights.values[0] += 1e-6
        minus.layers[0].weights.values[0] -= 1e-6
        let numeric = (Loss.meanSquaredError.objective(predictions: plus.predict(inputs), targets: targets)
            - Loss.meanSquaredError.objective(predictions: minus.predict(inputs), targets: targets)) / 2e-6
        XCTAssertGreaterThan(abs(numeric - analytic.weights[0].values[0] / 2) / abs(numeric), 0.1)
    }
}
