import Backprop
import XCTest

/// Standardize, min-max and a numeric impute change a column where it lies (no second copy of
/// the numbers), to the same bits as the copying `apply(to:)` that models use on new rows.
final class InPlaceTransformTests: XCTestCase {
    /// A dataset whose column 'a' has a buffer of its own (not shared with `values`).
    private func data(_ values: [Double]) -> Dataset {
        Dataset(source: "test", features: [Column(name: "a", values: .numeric(values.map { $0 })), Column(name: "b", values: .numeric(values.reversed()))],
                target: Column(name: "y", values: .numeric(values.map { $0 > 0 ? 1 : 0 })), rowIDs: Array(values.indices))
    }

    private func baseAddress(_ data: Dataset, _ column: Int) -> UnsafeRawPointer? {
        data.features[column].numbers?.withUnsafeBytes { $0.baseAddress }
    }

    func testRescalingInPlaceGivesTheBitsOfTheCopyAndKeepsTheBuffer() throws {
        let values = (0..<1_000).map { sin(Double($0) * 0.7) * 13 + 0.1 }
        let fitting = Column(name: "a", values: .numeric(values))
        let transforms: [any FittedTransform] = [
            try StandardizeTransform(fitting: fitting, rows: Array(0..<800)),
            try MinMaxTransform(fitting: fitting, rows: Array(0..<800)),
        ]
        for transform in transforms {
            let copied = try transform.apply(to: data(values))
            var inPlace = data(values)
            let before = baseAddress(inPlace, 0)
            try transform.apply(inPlace: &inPlace)
            XCTAssertEqual(baseAddress(inPlace, 0), before, "\(type(of: transform).kind): the column stays where it was")
            XCTAssertEqual(inPlace.features[0].numbers?.map(\.bitPattern), copied.features[0].numbers?.map(\.bitPattern), "\(type(of: transform).kind)")
            XCTAssertEqual(inPlace.features[1].numbers, Array(values.reversed()), "the other column is left alone")
            XCTAssertNotEqual(inPlace.features[0].numbers, values, "\(type(of: transform).kind) changed the column")
        }
    }

    func testAColumnHeldElsewhereIsCopiedNotChanged() throws {
        let values = [1.0, 2, 3, 4]
        let shared = data(values)
        var changed = shared
        try StandardizeTransform(fitting: Column(name: "a", values: .numeric(values)), rows: [0, 1, 2, 3]).apply(inPlace: &changed)
        XCTAssertEqual(shared.features[0].numbers, values)
        XCTAssertNotEqual(changed.features[0].numbers, values)
    }

    func testAMissingColumnIsNamed() {
        var other = data([1, 2])
        XCTAssertThrowsError(try StandardizeTransform(fitting: Column(name: "zz", values: .numeric([1, 2])), rows: [0, 1]).apply(inPlace: &other)) { error in
            XCTAssertEqual((error as? BackpropError)?.message, "standardize: the data has no numeric column 'zz'")
        }
    }

    func testImputeFillsWhereTheColumnLiesAndAddsItsIndicator() throws {
        let values = (0..<50).map { $0 % 7 == 3 ? Double.nan : Double($0) * 0.5 }
        for indicator in [false, true] {
            let impute = ImputeTransform(column: "a", strategy: "median", fill: .number(12.25), indicator: indicator)
            let copied = try impute.apply(to: data(values))
            var inPlace = data(values)
            let before = baseAddress(inPlace, 0)
            try impute.apply(inPlace: &inPlace)
            XCTAssertEqual(baseAddress(inPlace, 0), before, "the column stays where it was")
            XCTAssertEqual(inPlace.featureNames, copied.featureNames)
            XCTAssertEqual(inPlace.featureNames, indicator ? ["a", "a_missing", "b"] : ["a", "b"])
            for (a, b) in zip(inPlace.features, copied.features) {
                XCTAssertEqual(a.numbers?.map(\.bitPattern), b.numbers?.map(\.bitPattern), a.name)
            }
            XCTAssertEqual(inPlace.features[0].numbers?.filter { $0 == 12.25 }.count, 7, "rows 3, 10, …, 45 filled")
        }
    }
}
