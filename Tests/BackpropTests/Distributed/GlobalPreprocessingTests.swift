@testable import Backprop
import Foundation
import XCTest

/// Impute and normalize when the rows are shared out over 1 to 4 processes (threads of a fake
/// job): every process fits the single-process transforms (numbers to 1e-12 relative, the same
/// categories, a category present in one share only included) and transforms its own rows as
/// one process transforms them.
final class GlobalPreprocessingTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
        var csv = "a,b,c,n,y\n"
        for row in 0..<300 {
            let a = row % 11 == 4 ? "NA" : String(1000 + Double(row % 37) * 0.125 + Double(row) * 1e-4)
            let b = row % 13 == 5 ? "" : String(Double((row * 7) % 23) - 5.5)
            let c = row == 290 ? "zeta" : row % 17 == 2 ? "NA" : ["red", "green", "blue", "green"][row % 4]
            let n = row == 260 ? "9" : String(row % 4 + 1)
            csv += "\(a),\(b),\(c),\(n),\(row % 3 == 0 ? 1 : 0)\n"
        }
        write(csv, to: "data.csv", in: folder)
    }

    private func pipeline(_ impute: String, _ normalize: String) -> URL {
        write("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y", "categorical": ["c"], "missing": "keep"},
              \(impute),
              {"stage": "normalize", \(normalize)}
            ]}
            """, to: "pipeline.json", in: folder)
    }

    /// Runs `file` alone and on 2, 3 and 4 ranks; compares fitted states and transformed rows.
    private func assertSameAsOneProcess(_ file: URL, file source: StaticString = #filePath, line: UInt = #line) throws {
        let single = try Pipeline(contentsOf: file).run(log: { _ in })
        let singleData = try XCTUnwrap(single.data)
        let position = Dictionary(uniqueKeysWithValues: singleData.rowIDs.enumerated().map { ($1, $0) })
        for ranks in 2...4 {
            let results = ThreadedProcessGroup.run(ranks: ranks) { group in try Pipeline(contentsOf: file).run(log: { _ in }, group: group) }
            var rowIDs = [Int]()
            for result in results {
                let context = try result.get()
                XCTAssertTrue(context.sharesRows, "\(ranks) ranks share the rows out", file: source, line: line)
                XCTAssertEqual(context.preprocessing.count, single.preprocessing.count, file: source, line: line)
                for (got, expected) in zip(context.preprocessing, single.preprocessing) {
                    assertClose(.object(got.state), .object(expected.state), "\(ranks) ranks: \(type(of: expected).kind)", file: source, line: line)
                }
                let data = try XCTUnwrap(context.data)
                XCTAssertEqual(data.featureNames, singleData.featureNames, file: source, line: line)
                XCTAssertLessThan(data.rowCount, singleData.rowCount, "no rank holds every row", file: source, line: line)
                for (column, expected) in zip(data.features, singleData.features) {
                    let got = try XCTUnwrap(column.numbers), all = try XCTUnwrap(expected.numbers)
                    for (row, id) in data.rowIDs.enumerated() where abs(got[row] - all[position[id]!]) > 1e-12 {
                        XCTFail("\(ranks) ranks: \(column.name) of data row \(id): \(got[row]) vs \(all[position[id]!])", file: source, line: line)
                        break
                    }
                }
                rowIDs += data.rowIDs
            }
            XCTAssertEqual(rowIDs, singleData.rowIDs, "\(ranks) ranks: the shares make the whole", file: source, line: line)
        }
    }

    private func assertClose(_ got: JSONValue, _ expected: JSONValue, _ what: String, file: StaticString, line: UInt) {
        switch (got, expected) {
        case (.number(let a), .number(let b)):
            XCTAssertLessThanOrEqual(abs(a - b), 1e-12 * max(abs(b), 1e-300), "\(what): \(a) vs \(b)", file: file, line: line)
        case (.object(let a), .object(let b)):
            XCTAssertEqual(Set(a.keys), Set(b.keys), what, file: file, line: line)
            for (key, value) in b { if let other = a[key] { assertClose(other, value, "\(what).\(key)", file: file, line: line) } }
        case (.array(let a), .array(let b)):
            XCTAssertEqual(a.count, b.count, what, file: file, line: line)
            for (index, (x, y)) in zip(a, b).enumerated() { assertClose(x, y, "\(what)[\(index)]", file: file, line: line) }
        default:
            XCTAssertEqual(got, expected, what, file: file, line: line)
        }
    }

    func testMedianImputeThenStandardizeMinMaxAndOneHot() throws {
        try assertSameAsOneProcess(pipeline("""
            {"stage": "impute", "columns": ["a"], "strategy": "median", "indicator": true},
            {"stage": "impute", "columns": ["c"]},
            {"stage": "impute", "columns": ["b"], "strategy": "most_frequent"}
            """, #""standardize": ["a"], "min_max": ["b"], "one_hot": ["c", "n"]"#))
    }

    func testMeanImputeThenStandardizeEverything() throws {
        try assertSameAsOneProcess(pipeline("""
            {"stage": "impute", "strategy": "mean"}
            """, #""standardize": "numeric", "one_hot": "categorical""#))
    }

    /// The category seen on the last process only ("zeta", row 290) and the number 9 (row 260)
    /// get their one-hot columns on every process.
    func testACategoryInOneShareOnlyIsACategoryEverywhere() throws {
        let file = write("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y", "columns": ["c", "n"], "categorical": ["c"], "missing": "keep"},
              {"stage": "impute", "columns": ["c"]},
              {"stage": "normalize", "one_hot": ["c", "n"]}
            ]}
            """, to: "pipeline.json", in: folder)
        let results = ThreadedProcessGroup.run(ranks: 3) { group in try Pipeline(contentsOf: file).run(log: { _ in }, group: group) }
        for result in results {
            let names = try XCTUnwrap(try result.get().data).featureNames
            XCTAssertEqual(names, ["c_blue", "c_green", "c_red", "c_zeta", "n_1", "n_2", "n_3", "n_4", "n_9"])
        }
        try assertSameAsOneProcess(file)
    }

    /// Standardizing a column with a missing value fails on the processes that hold one; every
    /// process stops with the message of the first, naming its global data row, as one process does.
    func testAMissingValueOnOneProcessStopsEveryProcessNamingItsDataRow() throws {
        let file = pipeline(#"{"stage": "impute", "columns": ["c"]}"#, #""standardize": ["a"]"#)
        let expected = "cannot standardize column 'a': it has missing values (the first in data row 4)"
        let single = try XCTUnwrap(expectFailure(runPipeline(String(contentsOf: file, encoding: .utf8), in: folder)))
        XCTAssertTrue(single.message.contains(expected), single.message)
        let results = ThreadedProcessGroup.run(ranks: 3) { group in try Pipeline(contentsOf: file).run(log: { _ in }, group: group) }
        for result in results {
            XCTAssertThrowsError(try result.get()) { error in
                XCTAssertEqual(error as? BackpropError, single)
            }
        }
        // The first missing value in the middle rank's rows (157 of 300): its global row, not its position there.
        write("a,b,c,n,y\n" + (0..<300).map { "\($0 >= 150 && $0 % 50 == 7 ? "NA" : "1.5"),1,red,1,0" }.joined(separator: "\n") + "\n",
              to: "data.csv", in: folder)
        let late = ThreadedProcessGroup.run(ranks: 3) { group in try Pipeline(contentsOf: file).run(log: { _ in }, group: group) }
        for result in late {
            XCTAssertThrowsError(try result.get()) { error in
                XCTAssertTrue((error as? BackpropError)?.message.contains("(the first in data row 157)") ?? false, "\(error)")
            }
        }
    }
}

/// The classes of a target, gathered from every process: a class seen by one process only is a
/// class everywhere.
final class GlobalTargetClassesTests: XCTestCase {
    func testClassesSeenOnOneProcessOnlyAreClassesEverywhere() throws {
        let labels: [[String]] = [["b", "b"], [], ["c", "a"]]
        let numbers: [[Double]] = [[0, 0], [1], []]
        let results = ThreadedProcessGroup.run(ranks: 3) { group in
            let softmax = try TargetEncoding.fit(Column(name: "t", values: .categorical(labels[group.rank])),
                                                 rows: Array(labels[group.rank].indices), output: .softmax, positive: nil, group: group)
            let sigmoid = try TargetEncoding.fit(Column(name: "t", values: .numeric(numbers[group.rank])),
                                                 rows: Array(numbers[group.rank].indices), output: .sigmoid, positive: nil, group: group)
            return (softmax?.classes, sigmoid?.classes)
        }
        for result in results {
            let (softmax, sigmoid) = try result.get()
            XCTAssertEqual(softmax, ["a", "b", "c"])
            XCTAssertEqual(sigmoid, ["0", "1"])
        }
    }
}

/// Balanced class weights count the classes of every process's training rows.
final class GlobalClassWeightTests: XCTestCase {
    func testBalancedWeightsCountEveryProcessesRows() throws {
        let codes: [[Double]] = [[0, 0, 1], [], [0, 1, 1, 1]]  // 3 of class 0, 4 of class 1, 7 rows
        let results = ThreadedProcessGroup.run(ranks: 3) { group in
            var context = PipelineContext(log: { _ in })
            context.group = group
            context.sharesRows = true
            return try TrainStage.rowWeights(.balanced, codes: codes[group.rank], encoding: TargetEncoding(classes: ["0", "1"]), context: context)
        }
        for (rank, result) in results.enumerated() {
            XCTAssertEqual(try result.get(), codes[rank].map { $0 == 0 ? 7.0 / 6 : 7.0 / 8 })
        }
    }
}

/// A quantity target standardized for training (`standardize_target`): its mean and sd come
/// from every process's training rows, so the model is one process's.
final class GlobalTargetScalingTests: XCTestCase {
    func testAStandardizedTargetGivesTheSingleProcessModel() throws {
        let folder = temporaryFolder(self)
        var csv = "x,y\n"
        for row in 0..<200 { csv += "\(Double(row % 41) * 0.5),\(5000 + Double(row % 41) * 3 + Double((row * 13) % 7) * 0.1)\n" }
        write(csv, to: "q.csv", in: folder)
        let file = write("""
            {"seed": 2, "stages": [
              {"stage": "ingest", "path": "q.csv", "target": "y"},
              {"stage": "split", "test_fraction": 0.2},
              {"stage": "normalize", "standardize": ["x"]},
              {"stage": "train", "hidden": [3], "output_activation": "identity", "loss": "mse", "epochs": 30,
               "learning_rate": 0.1, "standardize_target": true}
            ]}
            """, to: "p.json", in: folder)
        let single = try XCTUnwrap(try Pipeline(contentsOf: file).run(log: { _ in }).model)
        for ranks in [2, 3] {
            let results = ThreadedProcessGroup.run(ranks: ranks) { group in try Pipeline(contentsOf: file).run(log: { _ in }, group: group) }
            for result in results {
                let context = try result.get()
                XCTAssertTrue(context.sharesRows)
                let model = try XCTUnwrap(context.model)
                for (got, expected) in zip(model.network.layers, single.network.layers) {
                    assertClose(got.weights.values, expected.weights.values, tolerance: 1e-9, "\(ranks) ranks: weights")
                    assertClose(got.bias ?? [], expected.bias ?? [], tolerance: 1e-9, "\(ranks) ranks: bias")
                }
            }
        }
    }
}
