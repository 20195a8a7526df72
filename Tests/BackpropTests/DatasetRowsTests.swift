import Backprop
import BackpropNumerics
import XCTest

/// `DatasetRows` serves the same rows as matrices built from the dataset would.
final class DatasetRowsTests: XCTestCase {
    private let columns: [[Double]] = [[1, 2, 3, 4, 5], [10, 20, 30, 40, 50]]
    private let codes: [Double] = [0, 2, 1, 2, 0]

    private func rows<Scalar: BinaryFloatingPoint>(
        _ source: some TrainingRowSource, _ requested: [Int], as _: Scalar.Type
    ) throws -> (inputs: [Scalar], targets: [Scalar]) {
        var inputs = [Scalar](repeating: -1, count: requested.count * source.inputWidth)
        var targets = [Scalar](repeating: -1, count: requested.count * source.targetWidth)
        try requested.withUnsafeBufferPointer { positions in
            try inputs.withUnsafeMutableBufferPointer { i in
                try targets.withUnsafeMutableBufferPointer { t in
                    if Scalar.self == Double.self {
                        try source.copyRows(positions, inputs: UnsafeMutableRawBufferPointer(i).bindMemory(to: Double.self),
                                            targets: UnsafeMutableRawBufferPointer(t).bindMemory(to: Double.self))
                    } else {
                        try source.copyRows(positions, inputs: UnsafeMutableRawBufferPointer(i).bindMemory(to: Float.self),
                                            targets: UnsafeMutableRawBufferPointer(t).bindMemory(to: Float.self))
                    }
                }
            }
        }
        return (inputs, targets)
    }

    func testRowsAtPositionsAreTheDatasetRowsInThatOrder() throws {
        let source = DatasetRows(features: columns, targets: codes, positions: [4, 1, 3])
        XCTAssertEqual(source.rowCount, 3)
        let got = try rows(source, [2, 0], as: Double.self)
        XCTAssertEqual(got.inputs, [4, 40, 5, 50])
        XCTAssertEqual(got.targets, [2, 0])
        XCTAssertFalse(source.hasRowWeights)
    }

    func testClassCodesBecomeOneHotRowsLikeMatrixRows() throws {
        let positions = [3, 0, 2]
        let source = DatasetRows(features: columns, targets: codes, oneHotClasses: 3, positions: positions)
        let inputs = Matrix(rows: 3, columns: 2, values: positions.flatMap { [columns[0][$0], columns[1][$0]] })
        let targets = Matrix(rows: 3, columns: 3, values: positions.flatMap { row in (0..<3).map { Double($0) == codes[row] ? 1 : 0 } })
        let reference = MatrixRows(inputs: inputs, targets: targets)
        for requested in [[0, 1, 2], [2, 2, 0]] {
            let a = try rows(source, requested, as: Double.self), b = try rows(reference, requested, as: Double.self)
            XCTAssertEqual(a.inputs, b.inputs)
            XCTAssertEqual(a.targets, b.targets)
            let f = try rows(source, requested, as: Float.self), g = try rows(reference, requested, as: Float.self)
            XCTAssertEqual(f.inputs, g.inputs)
            XCTAssertEqual(f.targets, g.targets)
        }
    }

    func testWeightsFollowThePositions() throws {
        let source = DatasetRows(features: columns, targets: codes, positions: [1, 2], weights: [0.5, 2])
        var weights = [Double](repeating: 0, count: 2)
        [1, 0].withUnsafeBufferPointer { p in weights.withUnsafeMutableBufferPointer { source.copyWeights(p, into: $0) } }
        XCTAssertEqual(weights, [2, 0.5])
        XCTAssertTrue(source.hasRowWeights)
    }
}
