import BackpropNumerics

/// Partitions the rows into training and test rows: at random with a seeded GSL generator, or
/// by explicit data-row indices (to reproduce another implementation's run).
public struct SplitStage: PipelineStage {
    /// `"split"`.
    public static let kind = "split"
    /// One line for help output.
    public static let summary = "split rows into training and test rows"
    /// True: over several processes, the split is drawn over all processes' rows.
    public static var combinesAcrossProcesses: Bool { true }
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("test_fraction", "share of rows held out for testing, between 0 and 1 (default 0.1 unless rows are given)"),
        ParameterHelp("seed", "seed of the shuffle (default: derived from the pipeline's seed)"),
        ParameterHelp("train_rows", "explicit 0-based data-row indices to train on, in training order"),
        ParameterHelp("test_rows", "explicit 0-based data-row indices to test on (default: all rows not in train_rows)"),
        ParameterHelp("folds", "k-fold cross-validation on the training rows (all rows when no test_fraction or train_rows is given): the stages after the split run once per fold, each metric is reported as mean ± sd over the folds, then the final model trains on all training rows (default: none; at least 2)"),
        ParameterHelp("repeats", "how many times the k folds are drawn anew, for folds (default 1)"),
        ParameterHelp("stratify", "whether each fold keeps the class shares of the target, for folds (default: true when the target holds text or at most 10 distinct values)"),
    ]

    enum Method {
        case random(testFraction: Double, seed: UInt64)
        case explicit(train: [Int], test: [Int]?)
        /// Cross-validation over all rows, no held-out test rows.
        case none
    }

    let method: Method
    /// k-fold cross-validation, when asked for.
    let crossValidation: CrossValidation?
    /// The seed of the fold draws (the shuffle's seed; for explicit rows the stage's derived seed).
    let foldSeed: UInt64

    /// The folds, their repeats and whether they are stratified (nil: decided from the target).
    struct CrossValidation: Equatable {
        var folds: Int
        var repeats: Int
        var stratify: Bool?
    }

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        if p.has("folds") {
            let folds = try p.integer("folds", minimum: 2)
            let repeats = p.has("repeats") ? try p.integer("repeats", minimum: 1) : { _ = p.value("repeats"); return 1 }()
            let stratify: Bool? = p.has("stratify") ? try p.bool("stratify", default: true) : { _ = p.value("stratify"); return nil }()
            guard folds <= 100, repeats <= 100, folds * repeats <= 1000 else {
                throw p.error("at most 100 folds, 100 repeats and 1000 fits in all, got \(folds) × \(repeats)", field: folds > 100 ? "folds" : "repeats")
            }
            crossValidation = CrossValidation(folds: folds, repeats: repeats, stratify: stratify)
        } else {
            for field in ["repeats", "stratify"] where p.has(field) { throw p.error("only used with folds", field: field) }
            crossValidation = nil
        }
        let trainRows = try p.integers("train_rows", minimum: 0)
        let testRows = try p.integers("test_rows", minimum: 0)
        if let trainRows {
            if p.has("test_fraction") { throw p.error("give either test_fraction or train_rows, not both", field: "test_fraction") }
            if p.has("seed") && crossValidation == nil { throw p.error("has no use with explicit train_rows (only with folds)", field: "seed") }
            guard !trainRows.isEmpty else { throw p.error("expected at least one row", field: "train_rows") }
            for (field, rows) in [("train_rows", trainRows), ("test_rows", testRows ?? [])] {
                var seen = Set<Int>()
                if let duplicate = rows.first(where: { !seen.insert($0).inserted }) {
                    throw p.error("row \(duplicate) is listed twice", field: field)
                }
            }
            if let testRows, let shared = testRows.first(where: Set(trainRows).contains) {
                throw p.error("row \(shared) is in both train_rows and test_rows", field: "test_rows")
            }
            method = .explicit(train: trainRows, test: testRows)
            foldSeed = try p.seed()
        } else if crossValidation != nil && !p.has("test_fraction") {
            if testRows != nil { throw p.error("needs train_rows beside it", field: "test_rows") }
            _ = p.value("test_fraction")
            method = .none
            foldSeed = try p.seed()
        } else {
            if testRows != nil { throw p.error("needs train_rows beside it", field: "test_rows") }
            let fraction = p.has("test_fraction") ? try p.number("test_fraction") : { _ = p.value("test_fraction"); return 0.1 }()
            guard fraction > 0, fraction < 1 else {
                throw p.error("expected a number between 0 and 1 (exclusive), got \(fraction)", field: "test_fraction")
            }
            let seed = try p.seed()
            method = .random(testFraction: fraction, seed: seed)
            foldSeed = seed
        }
    }

    /// Splits the current data.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        if context.split != nil { throw context.error(.pipeline, "the data is already split; use one split stage") }
        if context.rowGroup.size > 1 { return try runDistributed(data, &context) }
        switch method {
        case .random(let fraction, let seed):
            let testCount = Int((Double(data.rowCount) * fraction).rounded())
            guard testCount >= 1, testCount < data.rowCount else {
                throw context.error(.data, "test_fraction \(fraction) of \(data.rowCount) rows leaves \(testCount) test rows; need at least one test and one training row")
            }
            // From a cache the row lists are what the run holds per row: 4 bytes each.
            if context.columnCache != nil, UInt32(exactly: data.rowCount) != nil {
                let (train, test) = Self.randomSplit(data.rowCount, testCount: testCount, seed: seed, as: UInt32.self)
                context.split = DataSplit(trainRows: RowList(narrow: train), testRows: RowList(narrow: test))
            } else {
                let (train, test) = Self.randomSplit(data.rowCount, testCount: testCount, seed: seed, as: Int.self)
                context.split = DataSplit(train: train, test: test)
            }
        case .explicit(let train, let test):
            let lookup = RowIDLookup(data)
            func positions(_ rows: [Int], _ field: String) throws -> [Int] {
                try rows.map { id in
                    guard let index = lookup.position(of: id) else {
                        let last = data.rowCount > 0 ? data.rowID(at: data.rowCount - 1) : 0
                        throw context.error(.data, id <= last && data.rowCount <= last
                            ? "field '\(field)': data row \(id) was dropped at ingest (\"missing\": \"drop\" keeps \(data.rowCount) rows of 0…\(last))"
                            : "field '\(field)': data row \(id) does not exist (the data has rows 0…\(last) with \(data.rowCount) rows kept)")
                    }
                    return index
                }
            }
            let trainPositions = try positions(train, "train_rows")
            let testPositions = try test.map { try positions($0, "test_rows") }
                ?? Self.positions(notIn: trainPositions, of: data)
            guard !testPositions.isEmpty else { throw context.error(.data, "no rows are left for testing") }
            context.split = DataSplit(train: trainPositions, test: testPositions)
        case .none:
            if context.columnCache != nil, let count = UInt32(exactly: data.rowCount) {
                context.split = DataSplit(trainRows: RowList(narrow: [UInt32](0..<count)), testRows: RowList([]))
                return
            }
            context.split = DataSplit(train: Array(0..<data.rowCount), test: [])
        }
    }

    /// The positions 0..<`count` shuffled by a generator seeded with `seed`, the first
    /// `testCount` taken off as the test rows (sorted), the rest the training rows in shuffled
    /// order: one list of the rows, shuffled and cut in place. The permutation is the same for
    /// any `Position` type (`gsl_ran_shuffle` depends on the count only).
    private static func randomSplit<Position: FixedWidthInteger>(
        _ count: Int, testCount: Int, seed: UInt64, as _: Position.Type
    ) -> (train: [Position], test: [Position]) {
        var order = (0..<count).map { Position($0) }
        RandomGenerator(seed: seed).shuffle(&order)
        let test = order[..<testCount].sorted()
        order.removeFirst(testCount)
        return (order, test)
    }
}
