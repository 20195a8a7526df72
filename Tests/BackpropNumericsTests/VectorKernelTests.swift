import BackpropNumerics
import Glibc
import XCTest

/// The C vector kernels (whichever clone this CPU gets) keep the accuracy of the scalar code.
final class VectorKernelTests: XCTestCase {
    func testVectorExpIsWithin1e15OfGlibcOnItsRange() {
        // A fine grid over [−708, 709], random points, and the neighbourhoods of 0 and the ends.
        var values = stride(from: -708.0, through: 709.0, by: 0.000731).map { $0 }
        var generator = SystemRandomNumberGenerator()
        values += (0..<1_000_000).map { _ in Double.random(in: -708...709, using: &generator) }
        values += (0..<100_000).map { _ in Double.random(in: -1e-10...1e-10, using: &generator) }
        values += [0, -0.0, 1, -1, -708, 709, 708.999, Double.ulpOfOne, -Double.ulpOfOne]
        var out = [Double](repeating: .nan, count: values.count)
        values.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { VectorKernels.exp(x, into: $0) } }
        var worst = (error: 0.0, at: 0.0)
        for (x, ours) in zip(values, out) {
            let error = abs(ours - exp(x)) / exp(x)
            if !(error <= worst.error) { worst = (error, x) }
        }
        XCTAssertLessThanOrEqual(worst.error, 1e-15, "largest relative difference \(worst.error) at x = \(worst.at)")
    }

    func testVectorExpSaturatesInsteadOfOverflowing() {
        let values = [-1e308, -800, 800, 1e308, -.infinity, .infinity]
        var out = [Double](repeating: .nan, count: values.count)
        values.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { VectorKernels.exp(x, into: $0) } }
        for (x, y) in zip(values, out) {
            XCTAssertTrue(y.isFinite && y > 0, "e^\(x) gave \(y)")
            XCTAssertEqual(y, x < 0 ? exp(-708) : exp(709), accuracy: (x < 0 ? exp(-708) : exp(709)) * 1e-15)
        }
    }

    func testLogisticLayersMatchTheScalarFormulaInBothPrecisions() throws {
        // One sigmoid layer of 1,003 outputs (not a multiple of any vector width): its
        // activations through the vector kernel against 1 / (1 + exp(−z)) from the C library.
        let count = 1003
        let g = RandomGenerator(seed: 5)
        let weights = Matrix(rows: 1, columns: count, values: (0..<count).map { _ in g.gaussian(standardDeviation: 30) })
        let network = Network(layers: [DenseLayer(weights: weights, bias: nil, activation: .sigmoid)])
        let inputs = Matrix(rows: 1, columns: 1, values: [1])
        let predicted = network.predict(inputs)
        for i in 0..<count {
            XCTAssertEqual(predicted.values[i], 1 / (1 + exp(-weights.values[i])), accuracy: 2e-16)
        }
        // Gradient of ½Σ(y − t)² with t = 0 is y · y(1 − y) per output: the derivative kernel.
        for precision in Precision.allCases {
            let rows = MatrixRows(inputs: inputs, targets: Matrix(rows: 1, columns: count))
            let gradient = try network.gradients(rows: rows, loss: .meanSquaredError, precision: precision).gradients.weights[0]
            let tolerance = precision == .float64 ? 1e-16 : 1e-7
            for i in 0..<count {
                let y = 1 / (1 + exp(-weights.values[i]))
                XCTAssertEqual(gradient.values[i], y * y * (1 - y), accuracy: tolerance, "\(precision) output \(i)")
            }
        }
    }
}
