import Glibc
import XCTest

@testable import BackpropNumerics

final class TableExpTests: XCTestCase {
    /// Largest relative difference from glibc's `exp` over `values`.
    private func worst(_ values: [Double]) -> (error: Double, at: Double) {
        ExpTable.values.withUnsafeBufferPointer { table in
            var worst = (error: 0.0, at: 0.0)
            for x in values {
                let ours = tableExp(x, table: table.baseAddress!), theirs = exp(x)
                let error = ours == theirs ? 0 : abs(ours - theirs) / abs(theirs)
                if !(error <= worst.error) { worst = (error, x) }
            }
            return worst
        }
    }

    func testWithin1e15OfGlibcOverTheWholeRange() {
        // A fine grid over [−745, 710] (both ends: underflow to 0, overflow to infinity), random
        // points, and the neighbourhoods of 0 and of the fast path's bounds ±708.
        var values = stride(from: -745.0, through: 710.0, by: 0.000731).map { $0 }
        var generator = SystemRandomNumberGenerator()
        values += (0..<1_000_000).map { _ in Double.random(in: -745...710, using: &generator) }
        values += (0..<100_000).map { _ in Double.random(in: -1...1, using: &generator) }
        values += (0..<100_000).map { _ in Double.random(in: -1e-10...1e-10, using: &generator) }
        for bound in [-708.0, 708.0] {
            var x = bound
            for _ in 0..<1000 { values += [x, -x]; x = x.nextUp }
            x = bound
            for _ in 0..<1000 { values += [x]; x = x.nextDown }
        }
        values += [0, -0.0, 1, -1, 709.78, -744.44, Double.ulpOfOne, -Double.ulpOfOne]
        let (error, at) = worst(values)
        XCTAssertLessThanOrEqual(error, 1e-15, "largest relative difference \(error) at x = \(at)")
    }

    func testEdgesAsGlibc() {
        ExpTable.values.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            XCTAssertEqual(tableExp(0, table: t), 1)
            XCTAssertEqual(tableExp(-800, table: t), 0)
            XCTAssertEqual(tableExp(800, table: t), .infinity)
            XCTAssertEqual(tableExp(-.infinity, table: t), 0)
            XCTAssertEqual(tableExp(.infinity, table: t), .infinity)
            XCTAssertTrue(tableExp(.nan, table: t).isNaN)
        }
    }

    func testTableIsTwoToTheJOver64() {
        XCTAssertEqual(ExpTable.values.count, 64)
        for j in 0..<64 { XCTAssertEqual(ExpTable.values[j], exp2(Double(j) / 64), accuracy: ExpTable.values[j].ulp) }
    }
}
