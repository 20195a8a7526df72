import BackpropNumerics
import XCTest

/// The forward pass against the numpy reference's first example (a 3-2-1 sigmoid network
/// without biases, hand-set weights).
final class ForwardPassReferenceTests: XCTestCase {
    func testThreeTwoOneSigmoidNetworkMatchesTheReferenceOutput() throws {
        let hidden = DenseLayer(
            weights: try XCTUnwrap(Matrix([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])), bias: nil, activation: .sigmoid)
        let output = DenseLayer(weights: try XCTUnwrap(Matrix([[0.1], [-0.3]])), bias: nil, activation: .sigmoid)
        let network = Network(layers: [hidden, output])
        let result = network.predict(Matrix(rows: 1, columns: 3, values: [0.5, 0.1, -0.2]))
        // numpy: sigmoid(sigmoid(x · W1) · W2) = 0.48497343084992534
        XCTAssertEqual(result.values[0], 0.48497343084992534, accuracy: 1e-15)
    }
}
