import BackpropNumerics
import XCTest

/// A matrix-backed row source hands out exactly the rows asked for, in the order asked.
final class TrainingRowSourceTests: XCTestCase {
    func testMatrixRowsCopiesTheRowsAskedForInOrder() throws {
        let inputs = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
        let targets = Matrix(rows: 3, columns: 1, values: [10, 20, 30])
        let source = MatrixRows(inputs: inputs, targets: targets)
        var x = [Double](repeating: -1, count: 4), t = [Double](repeating: -1, count: 2)
        let positions = [2, 0]
        positions.withUnsafeBufferPointer { p in
            x.withUnsafeMutableBufferPointer { xb in t.withUnsafeMutableBufferPointer { tb in
                source.copyRows(p, inputs: xb, targets: tb)
            } }
        }
        XCTAssertEqual(x, [5, 6, 1, 2])
        XCTAssertEqual(t, [30, 10])
    }

    func testMatrixRowsRoundsToSinglePrecision() {
        let source = MatrixRows(inputs: Matrix(rows: 1, columns: 1, values: [0.1]), targets: Matrix(rows: 1, columns: 1, values: [1]))
        var x = [Float](repeating: 0, count: 1), t = [Float](repeating: 0, count: 1)
        [0].withUnsafeBufferPointer { p in
            x.withUnsafeMutableBufferPointer { xb in t.withUnsafeMutableBufferPointer { tb in
                source.copyRows(p, inputs: xb, targets: tb)
            } }
        }
        XCTAssertEqual(x, [Float(0.1)])
        XCTAssertEqual(t, [1])
    }
}
