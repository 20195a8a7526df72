/// Where the rows of one process's split sit in the split of all processes' rows: the split is
/// drawn over the global rows, and each process keeps its own rows of it.
public struct GlobalSplitPositions: Equatable, Sendable {
    /// For each of this process's training rows (`DataSplit.train`), its position in the global
    /// training order (increasing).
    public var train: [Int]
    /// For each of this process's test rows (`DataSplit.test`), its position among all test
    /// rows (increasing).
    public var test: [Int]
    /// The training rows of all processes.
    public var trainCount: Int
    /// The test rows of all processes.
    public var testCount: Int

    /// Creates the positions.
    public init(train: [Int], test: [Int], trainCount: Int, testCount: Int) {
        self.train = train
        self.test = test
        self.trainCount = trainCount
        self.testCount = testCount
    }
}
