import BackpropNumerics
import XCTest

/// Each activation's derivative agrees with a central finite difference of the activation.
final class ActivationDerivativeTests: XCTestCase {
    func testDerivativesMatchFiniteDifferences() {
        let h = 1e-6
        for activation in Activation.allCases {
            for z in [-2.0, -0.3, 0.4, 1.7] {
                let numeric = (activation.apply(z + h) - activation.apply(z - h)) / (2 * h)
                let analytic = activation.derivative(z: z, a: activation.apply(z))
                XCTAssertEqual(analytic, numeric, accuracy: 1e-6, "\(activation) at \(z)")
            }
        }
    }
}
