import Dispatch
import Glibc

extension ColumnarCSVReader {
    /// Number columns above which a read goes through part buffers (each column of an in-place
    /// read is one nested call on the caller's stack).
    static let mostInPlaceColumns = 256

    /// Reads the data records straight into the number columns it returns: the line feeds of
    /// each part are counted first (on the parts' threads), then part k writes its rows from the
    /// sum of the line feeds before it on, so no part has buffers of its own and nothing is
    /// copied afterwards. Rows a part left unfilled (blank lines, dropped records, line feeds
    /// inside quotes) are closed up at the end.
    /// - Returns: nil when the read is better done through part buffers (no number column, very
    ///   many, columns of more than half the machine's memory) or a record did not fit (lines
    ///   ended by a carriage return alone): the caller then reads that way.
    /// - Throws: as `read`.
    static func readInPlace(
        _ file: CSVFile, head: Head, plan: CSVColumnPlan, options: CSVOptions, threads: Int,
        minimumPartBytes: Int, progress: (@Sendable (Int) -> Void)?
    ) throws -> CSVColumns? {
        let slots = plan.roles.count(where: { $0 == .number })
        guard slots > 0, slots <= mostInPlaceColumns else { return nil }
        let range = head.dataStart..<file.size
        var ranges = try partition(file, range: range, parts: threads, minimumPartBytes: minimumPartBytes)
        let lineFeeds = try countLineFeeds(file, parts: ranges)
        // Every record but the file's last ends with a line feed (or is ended by a carriage
        // return alone, which the sinks notice as `.full`).
        let capacity = lineFeeds.reduce(0, +) + 1
        guard capacity <= columnBudget / (slots * MemoryLayout<Double>.stride),
              canAllocate(capacity * slots * MemoryLayout<Double>.stride) else { return nil }

        var sinks: [CSVColumnSink] = []
        var failure: Error?, overflowed = false
        let numbers = uninitializedColumns(count: slots, capacity: capacity) { columns in
            do {
                var offsets = lineFeeds.indices.map { lineFeeds[..<$0].reduce(0, +) }
                var rooms = offsets.indices.map { $0 + 1 < offsets.count ? lineFeeds[$0] : capacity - offsets[$0] }
                let bytesRead = ByteCounter()
                let makeSink = { (part: Int) in
                    CSVColumnSink(plan: plan, numbers: columns.map { $0 + offsets[part] }, capacity: rooms[part])
                }
                sinks = try parse(file, parts: ranges, plan: plan, options: options, bytesRead: bytesRead, progress: progress,
                                  makeSink: makeSink)
                if sinks.dropLast().contains(where: \.sawQuote) {
                    // A quote before a part's end: that end may lie inside a quoted field. Read again as one part.
                    (ranges, offsets, rooms) = ([range], [0], [capacity])
                    bytesRead.reset()
                    sinks = try parse(file, parts: ranges, plan: plan, options: options, bytesRead: bytesRead, progress: progress,
                                      makeSink: makeSink)
                }
                overflowed = sinks.contains { if case .full = $0.failure { true } else { false } }
                guard !overflowed, sinks.allSatisfy({ $0.failure == nil }) else { return 0 }
                return closeUp(columns, rows: sinks.map(\.rowCount), writtenAt: offsets)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        if overflowed { return nil }
        if let failure = try firstFailure(of: ParsedRange(sinks: sinks, ranges: ranges), file: file, plan: plan, options: options) {
            throw failure
        }
        let rowCount = try keptRows(sinks, file: file, requireRows: true)
        for sink in sinks { sink.stopTakingRows() }
        return assemble(sinks, numbers: numbers, plan: plan, rowCount: rowCount)
    }

    /// Bytes the number columns of an in-place read may take: half the machine's memory (a
    /// larger read goes through part buffers, which grow with the rows and fail cleanly).
    static var columnBudget: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 0 }
        return pages.multipliedReportingOverflow(by: pageSize).partialValue / 2
    }

    /// Whether the system grants `bytes` bytes now (the arrays of an in-place read are allocated
    /// by Swift, which stops the process when that fails; part buffers fail cleanly instead).
    static func canAllocate(_ bytes: Int) -> Bool {
        guard let probe = malloc(bytes) else { return false }
        free(probe)
        return true
    }

    /// The line feeds of each part, counted on one thread per part.
    static func countLineFeeds(_ file: CSVFile, parts: [Range<Int>]) throws -> [Int] {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts.count)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let errors = ErrorSlots(count: parts.count)
        let shared = UncheckedCounts(counts)
        let work: @Sendable (Int) -> Void = { part in
            do {
                try file.forEachBlock(in: parts[part], blockSize: blockSize) { _, block in
                    shared.buffer[part] += CSVColumnSink.lineFeeds(in: block)
                }
            } catch {
                errors.set(part, error)
            }
        }
        if parts.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts.count, execute: work) }
        if let error = errors.first { throw error }
        return Array(counts)
    }

    /// Moves each part's rows (`rows[k]` of them, written from row `writtenAt[k]` on) down to
    /// follow the previous part's; returns the rows in all.
    private static func closeUp(_ columns: [UnsafeMutablePointer<Double>], rows: [Int], writtenAt: [Int]) -> Int {
        var kept = 0
        for (count, start) in zip(rows, writtenAt) {
            if start != kept, count > 0 {
                for column in columns { memmove(column + kept, column + start, count * MemoryLayout<Double>.stride) }
            }
            kept += count
        }
        return kept
    }

    /// `count` new arrays with room for `capacity` (at least 1) doubles each, filled by `body`:
    /// given their storage, it returns how many leading values of every one it initialized.
    private static func uninitializedColumns(
        count: Int, capacity: Int, _ body: ([UnsafeMutablePointer<Double>]) -> Int
    ) -> [[Double]] {
        var storage: [UnsafeMutablePointer<Double>] = []
        storage.reserveCapacity(count)
        var initialized = 0
        var columns: [[Double]] = []
        func nest() {
            guard storage.count < count else {
                initialized = body(storage)
                return
            }
            let column = [Double](unsafeUninitializedCapacity: max(1, capacity)) { buffer, filled in
                storage.append(buffer.baseAddress!)
                nest()
                filled = initialized
            }
            columns.append(column)
        }
        nest()
        return columns.reversed()
    }
}

/// The line feed counts of a parallel count: each slot written by one thread, read after all finished.
private struct UncheckedCounts: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int>
    init(_ buffer: UnsafeMutableBufferPointer<Int>) { self.buffer = buffer }
}
