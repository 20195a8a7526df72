import BackpropNumerics
import XCTest

/// One and two optimizer steps on a one-weight, one-bias network, against arithmetic done by hand.
final class OptimizerStepTests: XCTestCase {
    private func network(weight: Double, bias: Double) -> Network {
        Network(layers: [DenseLayer(weights: Matrix(rows: 1, columns: 1, values: [weight]), bias: [bias], activation: .identity)])
    }

    private func gradients(_ g: Double, bias gb: Double, like n: Network) -> Gradients {
        var result = Gradients(zerosLike: n)
        result.weights[0].values[0] = g
        result.bias[0] = [gb]
        return result
    }

    func testGradientDescentStepWithL2OnWeightsOnly() {
        var n = network(weight: 0.5, bias: 0.3)
        var state = OptimizerState(.gradientDescent, network: n)
        state.update(&n, gradients: gradients(0.2, bias: -0.1, like: n), learningRate: 0.1, l2: 0.01)
        XCTAssertEqual(n.layers[0].weights.values[0], 0.5 - 0.1 * (0.2 + 0.01 * 0.5), accuracy: 1e-15)  // 0.4795
        XCTAssertEqual(n.layers[0].bias![0], 0.3 + 0.01, accuracy: 1e-15)  // no penalty on the bias
    }

    func testMomentumTwoSteps() {
        var n = network(weight: 1.0, bias: 0)
        var state = OptimizerState(.momentum(beta: 0.9), network: n)
        state.update(&n, gradients: gradients(0.5, bias: 0, like: n), learningRate: 0.1, l2: 0)
        // v = 0.5; w = 1 − 0.05 = 0.95
        XCTAssertEqual(n.layers[0].weights.values[0], 0.95, accuracy: 1e-15)
        state.update(&n, gradients: gradients(0.5, bias: 0, like: n), learningRate: 0.1, l2: 0)
        // v = 0.9·0.5 + 0.5 = 0.95; w = 0.95 − 0.095 = 0.855
        XCTAssertEqual(n.layers[0].weights.values[0], 0.855, accuracy: 1e-15)
    }

    func testAdamTwoSteps() {
        var n = network(weight: 0.5, bias: 0)
        var state = OptimizerState(.adam(), network: n)
        state.update(&n, gradients: gradients(0.2, bias: 0, like: n), learningRate: 0.1, l2: 0)
        // Step 1: m = 0.02, v = 0.00004; m̂ = 0.2, v̂ = 0.04; w = 0.5 − 0.1 · 0.2 / (0.2 + 1e-8)
        XCTAssertEqual(n.layers[0].weights.values[0], 0.5 - 0.1 * 0.2 / (0.2 + 1e-8), accuracy: 1e-15)
        XCTAssertEqual(state.step, 1)
        let w1 = n.layers[0].weights.values[0]
        state.update(&n, gradients: gradients(-0.4, bias: 0, like: n), learningRate: 0.1, l2: 0)
        // Step 2: m = 0.018 − 0.04 = −0.022, v = 0.00003996 + 0.00016 = 0.00019996;
        // m̂ = −0.022 / 0.19, v̂ = 0.00019996 / 0.001999
        let mHat = -0.022 / 0.19, vHat = 0.00019996 / 0.001999
        XCTAssertEqual(n.layers[0].weights.values[0], w1 - 0.1 * mHat / (vHat.squareRoot() + 1e-8), accuracy: 1e-12)
    }
}
