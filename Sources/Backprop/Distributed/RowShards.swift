/// Where each process's rows sit among the rows of all processes of a job: every process holds
/// one contiguous range of the source's data rows (its byte range of the CSV), so its rows
/// come after those of the processes whose ranges come first. The rows' global positions, and
/// so the split and the training order, depend on the rows alone, not on the process count.
struct RowShards {
    /// The processes.
    let group: any ProcessGroup
    /// Rows of all processes.
    let total: Int
    /// Rows of the processes whose ranges come before this one's: this process's first row is
    /// row `offset` of all rows.
    let offset: Int
    /// The largest data-row id of any process (-1 when there are no rows).
    let lastRowID: Int
    /// The ranks whose rows come before this process's.
    private let ranksBefore: [Int]

    /// Agrees on the layout from each process's data-row ids (increasing within a process).
    /// - Throws: `.data` when the processes' ranges of rows interleave.
    init(rowIDs: [Int], group: any ProcessGroup) throws {
        self.group = group
        let size = group.size, rank = group.rank
        var table = [Int64](repeating: 0, count: 3 * size)
        table[3 * rank] = Int64(rowIDs.count)
        table[3 * rank + 1] = Int64(rowIDs.first ?? 0)
        table[3 * rank + 2] = Int64(rowIDs.last ?? -1)
        try group.sum(&table)
        let holding = (0..<size).filter { table[3 * $0] > 0 }.sorted { table[3 * $0 + 1] < table[3 * $1 + 1] }
        for (a, b) in zip(holding, holding.dropFirst()) where table[3 * a + 2] >= table[3 * b + 1] {
            throw BackpropError(.data, "the processes' rows interleave (process \(a) holds data rows \(table[3 * a + 1])…\(table[3 * a + 2]), process \(b) \(table[3 * b + 1])…\(table[3 * b + 2])); each process must hold one contiguous range of rows")
        }
        ranksBefore = rowIDs.isEmpty ? [] : Array(holding.prefix { $0 != rank })
        total = Int((0..<size).reduce(Int64(0)) { $0 + table[3 * $1] })
        offset = ranksBefore.reduce(0) { $0 + Int(table[3 * $1]) }
        lastRowID = Int(holding.last.map { table[3 * $0 + 2] } ?? -1)
    }

    /// The number of things counted on every process (`localCount` here), and how many of them
    /// belong to the processes whose rows come before this one's.
    func count(_ localCount: Int) throws -> (before: Int, total: Int) {
        var counts = [Int64](repeating: 0, count: group.size)
        counts[group.rank] = Int64(localCount)
        try group.sum(&counts)
        return (ranksBefore.reduce(0) { $0 + Int(counts[$1]) }, Int(counts.reduce(0, +)))
    }
}
