import Glibc

/// One process's share of a CSV file when several processes run a pipeline together: no process
/// holds all rows.
///
/// Every process splits the data bytes (after the header) into one range per process at line
/// ends, the same ranges everywhere since they depend on the file alone, and parses range `rank`
/// (in parts on its own threads when large). Row ids stay global: a process's first record is
/// numbered after all the records of the lower ranks.
///
/// Quotes: a line end inside a quoted field would make a range start in the middle of a record.
/// Each process but the last first looks for a quote byte in its range (stopping at the first);
/// when any found one, every process learns it (one sum) and all read in record windows instead: each parses the whole file, counts its
/// records, and keeps the records `total·rank/size ..< total·(rank+1)/size` (slower, two passes
/// over the file on every process, still no process holding all rows).
///
/// Errors keep the file and the global line; every process reaches the same agreement points,
/// so a bad record on one process stops all of them with that one message.
enum ShardedIngest {
    /// Reads this process's share of the data records of `file`.
    /// - Parameter progress: called with the bytes of this process's share read so far, and its size.
    /// - Returns: its columns, and row ids that number the file's data records from 0 across
    ///   all processes.
    /// - Throws: on every process alike: the first bad record of the file (lowest rank first),
    ///   a file that differs between processes, or no rows at all.
    static func read(
        _ file: CSVFile, head: ColumnarCSVReader.Head, plan: CSVColumnPlan, options: CSVOptions,
        threads: Int, group: any ProcessGroup, progress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int) -> Void)? = nil
    ) throws -> CSVColumns {
        var sizes = [Double(file.size), -Double(file.size)]
        try group.maximum(&sizes)
        guard sizes[0] == -sizes[1] else {
            throw BackpropError(.data, "\(file.name): the file is \(Int(-sizes[1])) bytes on one process and \(Int(sizes[0])) on another; every process must read the same file")
        }
        let dataRange = head.dataStart..<file.size
        let shares = try group.agreeing { try ColumnarCSVReader.partition(file, range: dataRange, parts: group.size, minimumPartBytes: 1) }
        let mine = group.rank < shares.count ? shares[group.rank] : file.size..<file.size

        // A quote byte before a range's end: the end may lie inside a quoted field. (A range that
        // cannot be read counts as quote-free here; its parse below says why it cannot be read.)
        let quoted = group.rank < shares.count - 1 && ((try? contains(options.quote, in: mine, of: file)) ?? false)
        let parsed: ParsedOrFailure
        if try GlobalStatistics.any(quoted, group: group) {
            parsed = attempt { try readWindow(file, dataRange: dataRange, plan: plan, options: options, group: group) }
        } else {
            let shareBytes = mine.count
            let shareProgress = progress.map { report in { @Sendable (bytes: Int) in report(bytes, shareBytes) } }
            parsed = attempt {
                try ColumnarCSVReader.parse(file, range: mine, plan: plan, options: options, threads: threads, progress: shareProgress)
            }
        }
        var failure = parsed.failure
        if failure == nil, let share = parsed.value {
            do {
                failure = try ColumnarCSVReader.firstFailure(of: share, file: file, plan: plan, options: options)
            } catch {
                failure = error as? BackpropError ?? BackpropError(.data, "\(file.name): \(error)")
            }
        }
        try group.agree(failure)
        guard let share = parsed.value else { throw BackpropError(.data, "\(file.name): could not be read") }

        // Global row ids: this process's records come after those of the lower ranks.
        var records = [Int64](repeating: 0, count: group.size + 1)
        records[group.rank] = Int64(share.records)
        records[group.size] = Int64(share.sinks.reduce(0) { $0 + $1.rowCount })
        try group.sum(&records)
        guard records[group.size] > 0 else {
            let none = records[..<group.size].allSatisfy { $0 == 0 }
            throw BackpropError(.data, none ? "\(file.name): no data rows after the header" : "\(file.name): every row has a missing value")
        }
        let offset = Int(records[..<group.rank].reduce(0, +))
        var columns = try ColumnarCSVReader.merge(share.sinks, plan: plan, file: file, requireRows: false)
        if offset > 0 { columns.rowIDs = columns.rowIDs.map { $0 + offset } }
        return columns
    }

    /// Reads the whole data range, keeping only this process's window of records: the
    /// fallback when a quoted field could hold a line end at a range's end.
    static func readWindow(
        _ file: CSVFile, dataRange: Range<Int>, plan: CSVColumnPlan, options: CSVOptions, group: any ProcessGroup
    ) throws -> ColumnarCSVReader.ParsedRange {
        let counter = RecordCounter()
        let counting = try CSVParser(options: options, sink: counter, name: file.name)
        var stopped = false
        try forEachBlock(of: file, in: dataRange) { _, block in
            if counting.feed(block) != nil { stopped = true }
            return !stopped
        }
        if !stopped { _ = counting.finish() }
        let total = counter.records
        let window = total * group.rank / group.size ..< total * (group.rank + 1) / group.size
        let isLast = group.rank == group.size - 1

        let sink = CSVColumnSink(plan: plan)
        let windowed = RecordWindow(sink, window: window)
        let parser = try CSVParser(options: options, sink: windowed, name: file.name)
        var reachedEnd = true
        try forEachBlock(of: file, in: dataRange) { offset, block in
            // The last process reads on to the end, where a syntax error past the counted records lies.
            guard sink.failure == nil, isLast || windowed.seen < window.upperBound else {
                reachedEnd = false
                return false
            }
            if let error = parser.feed(block) {
                sink.failure = sink.failure ?? .syntax(offset: offset + error.consumed, reason: error.reason)
            }
            return true
        }
        if reachedEnd, sink.failure == nil, !parser.finish() { sink.failure = .unterminatedQuote }
        return ColumnarCSVReader.ParsedRange(sinks: [sink], ranges: [dataRange], recordOffset: window.lowerBound)
    }

    /// Whether `byte` occurs in `range` of `file` (read until the first one).
    private static func contains(_ byte: UInt8, in range: Range<Int>, of file: CSVFile) throws -> Bool {
        var found = false
        try forEachBlock(of: file, in: range) { _, block in
            if let start = block.baseAddress { found = memchr(start, Int32(byte), block.count) != nil }
            return !found
        }
        return found
    }

    /// Calls `body` with consecutive 1 MiB blocks of `range` while it returns true.
    private static func forEachBlock(
        of file: CSVFile, in range: Range<Int>, _ body: (_ offset: Int, _ block: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ColumnarCSVReader.blockSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let wanted = min(buffer.count, range.upperBound - offset)
            let count = try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            if count == 0 { break }
            guard try body(offset, UnsafeRawBufferPointer(rebasing: buffer[..<count])) else { break }
            offset += count
        }
    }

    /// A parse that gave its parts, or the error that stopped it, kept until every process
    /// reaches the next agreement point.
    private struct ParsedOrFailure {
        var value: ColumnarCSVReader.ParsedRange?
        var failure: BackpropError?
    }

    private static func attempt(_ body: () throws -> ColumnarCSVReader.ParsedRange) -> ParsedOrFailure {
        do {
            return ParsedOrFailure(value: try body())
        } catch let error as BackpropError {
            return ParsedOrFailure(failure: error)
        } catch {
            return ParsedOrFailure(failure: BackpropError(.data, "\(error)"))
        }
    }
}

/// Passes on the fields of the records in `window` only (records counted from 0).
private final class RecordWindow: CSVSink {
    private let inner: CSVSink
    private let window: Range<Int>
    /// Records seen so far.
    private(set) var seen = 0

    init(_ inner: CSVSink, window: Range<Int>) {
        self.inner = inner
        self.window = window
    }

    func field(_ bytes: UnsafeRawBufferPointer?) {
        if window.contains(seen) { inner.field(bytes) }
    }

    func endRecord() {
        if window.contains(seen) { inner.endRecord() }
        seen += 1
    }
}
