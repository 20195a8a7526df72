import Dispatch
import Glibc
import Synchronization

/// The columns a `ColumnarCSVReader` read: one entry per column of the file, nil where skipped.
public struct CSVColumns: Sendable {
    /// Per column of the file: its values, or nil when the plan skipped it.
    public var columns: [ColumnValues?]
    /// For each row kept, its 0-based index among the file's data records.
    public var rowIDs: [Int]
}

/// Reads a CSV file straight into typed columns: libcsv fed fixed-size blocks, numbers parsed by
/// fast_float into `Double` buffers, labels dictionary-encoded; large files in parts on several
/// threads, split at line ends (unless a quote could make a line end part of a field).
public enum ColumnarCSVReader {
    /// Bytes read per block.
    static let blockSize = 1 << 20
    /// Parts smaller than this are not worth a thread.
    static let smallestPart = 4 << 20

    /// The header of a file and where its data begins.
    public struct Head: Sendable {
        /// The column names (`columnN` without a header line).
        public var header: [String]
        /// The byte offset of the first data record.
        var dataStart: Int
    }

    /// Reads the header (or, without one, counts the first record's fields).
    /// - Throws: `.data` for an unreadable or empty file, bad quoting, or a duplicate name.
    static func head(of file: CSVFile, options: CSVOptions) throws -> Head {
        var bom = [UInt8](repeating: 0, count: 3)
        let bomCount = try bom.withUnsafeMutableBytes { try file.read(at: 0, into: $0) }
        let start = bomCount == 3 && bom == [0xEF, 0xBB, 0xBF] ? 3 : 0

        let first = FirstRecord()
        let parser = try CSVParser(options: options, sink: first, name: file.name)
        var end = start, line = 1
        try forEachBlock(of: file, in: start..<file.size, blockSize: 65_536, while: { first.fields == nil }) { offset, block in
            var lineStart = 0
            while lineStart < block.count, first.fields == nil {
                let lineEnd = (block[lineStart...].firstIndex(of: 0x0A) ?? (block.count - 1)) + 1
                if let error = parser.feed(UnsafeRawBufferPointer(rebasing: block[lineStart..<lineEnd])) {
                    throw BackpropError(.data, "\(file.name): line \(line): malformed CSV (\(error.reason)); check the quoting")
                }
                if block[lineEnd - 1] == 0x0A { line += 1 }
                end = offset + lineEnd
                lineStart = lineEnd
            }
        }
        if first.fields == nil, !parser.finish() {
            throw BackpropError(.data, "\(file.name): line \(line): unterminated quoted field at end of file")
        }
        guard let fields = first.fields else { throw BackpropError(.data, "\(file.name): the file is empty") }
        if options.header {
            return Head(header: try CSVHeader.names(fields, file: file.name), dataStart: end)
        }
        return Head(header: (0..<fields.count).map { "column\($0 + 1)" }, dataStart: start)
    }

    /// Reads the data records from `head.dataStart` to the end of the file into columns.
    /// - Parameters:
    ///   - threads: parts to parse at once, at most (a small file is one part).
    ///   - minimumPartBytes: the smallest part worth a thread.
    ///   - progress: called with the bytes read so far, from any thread.
    /// - Throws: `.data` naming the file, line and column of the first bad record.
    static func read(
        _ file: CSVFile, head: Head, plan: CSVColumnPlan, options: CSVOptions, threads: Int,
        minimumPartBytes: Int = smallestPart, progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> CSVColumns {
        if let columns = try readInPlace(file, head: head, plan: plan, options: options, threads: threads,
                                         minimumPartBytes: minimumPartBytes, progress: progress) {
            return columns
        }
        let parsed = try parse(file, range: head.dataStart..<file.size, plan: plan, options: options, threads: threads,
                               minimumPartBytes: minimumPartBytes, progress: progress)
        if let failure = try firstFailure(of: parsed, file: file, plan: plan, options: options) { throw failure }
        return try merge(parsed.sinks, plan: plan, file: file)
    }

    /// The parts of a range of a file as parsed, each with its sink.
    struct ParsedRange {
        /// One sink per part, in file order.
        var sinks: [CSVColumnSink]
        /// The byte range of each part.
        var ranges: [Range<Int>]
        /// The records of the file before the first sink's first record that its failures count
        /// from (0 when the parts' records are counted from their own start).
        var recordOffset = 0

        /// Whether a quote byte occurred in the parts.
        var sawQuote: Bool { sinks.contains(where: \.sawQuote) }
        /// The records seen in the parts.
        var records: Int { sinks.reduce(0) { $0 + $1.records } }
    }

    /// Parses `range` (starting at a record) in up to `threads` parts; when a quote byte occurs
    /// before a part's end, reads `range` again as one part.
    /// - Throws: only when the file cannot be read; bad records are the sinks' failures.
    static func parse(
        _ file: CSVFile, range: Range<Int>, plan: CSVColumnPlan, options: CSVOptions, threads: Int,
        minimumPartBytes: Int = smallestPart, progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> ParsedRange {
        let bytesRead = ByteCounter()
        let parts = try partition(file, range: range, parts: threads, minimumPartBytes: minimumPartBytes)
        var sinks = try parse(file, parts: parts, plan: plan, options: options, bytesRead: bytesRead, progress: progress)
        var ranges = parts
        if sinks.dropLast().contains(where: \.sawQuote) {
            // A quote before a part's end: that end may lie inside a quoted field. Read again as one part.
            ranges = [range]
            bytesRead.reset()
            sinks = try parse(file, parts: ranges, plan: plan, options: options, bytesRead: bytesRead, progress: progress)
        }
        return ParsedRange(sinks: sinks, ranges: ranges)
    }

    /// The message for the first failure of the parsed parts, in file order, or nil.
    static func firstFailure(of parsed: ParsedRange, file: CSVFile, plan: CSVColumnPlan, options: CSVOptions) throws -> BackpropError? {
        for (sink, range) in zip(parsed.sinks, parsed.ranges) {
            if let failure = sink.failure {
                return try error(failure, file: file, plan: plan, options: options, part: range, recordOffset: parsed.recordOffset)
            }
        }
        return nil
    }

    /// Splits `start..<file.size` into up to `parts` ranges that end just after a line feed.
    static func partition(_ file: CSVFile, from start: Int, parts: Int, minimumPartBytes: Int) throws -> [Range<Int>] {
        try partition(file, range: start..<file.size, parts: parts, minimumPartBytes: minimumPartBytes)
    }

    /// Splits `range` into up to `parts` ranges that end just after a line feed (the last at the
    /// range's end): the same ranges for the same file, whoever computes them.
    static func partition(_ file: CSVFile, range: Range<Int>, parts: Int, minimumPartBytes: Int) throws -> [Range<Int>] {
        let start = range.lowerBound, end = range.upperBound
        let count = max(1, min(parts, (end - start) / max(1, minimumPartBytes)))
        var bounds = [start]
        for index in 1..<max(count, 1) {
            let target = start + (end - start) * index / count
            guard target > bounds.last!, let bound = try file.offsetAfterLineFeed(from: target), bound < end else { break }
            if bound > bounds.last! { bounds.append(bound) }
        }
        bounds.append(end)
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// Parses each part on its own thread into a sink (`makeSink(part)`, or a sink of its own).
    static func parse(
        _ file: CSVFile, parts: [Range<Int>], plan: CSVColumnPlan, options: CSVOptions,
        bytesRead: ByteCounter, progress: (@Sendable (Int) -> Void)?, makeSink: ((Int) -> CSVColumnSink)? = nil
    ) throws -> [CSVColumnSink] {
        let sinks = parts.indices.map { makeSink?($0) ?? CSVColumnSink(plan: plan) }
        let errors = ErrorSlots(count: parts.count)
        let quote = options.quote
        let work = { (index: Int) in
            let sink = sinks[index], part = parts[index]
            sink.prefaultNumberBuffers()
            do {
                let parser = try CSVParser(options: options, sink: sink, name: file.name)
                try file.forEachBlock(in: part, blockSize: blockSize) { offset, block in
                    if sink.failure != nil { return }
                    if !sink.sawQuote, memchr(block.baseAddress!, Int32(quote), block.count) != nil { sink.sawQuote = true }
                    if let error = parser.feed(block) {
                        sink.failure = sink.failure ?? .syntax(offset: offset + error.consumed, reason: error.reason)
                    }
                    let total = bytesRead.add(block.count)
                    progress?(total)
                }
                if sink.failure == nil, !parser.finish() { sink.failure = .unterminatedQuote }
            } catch {
                errors.set(index, error)
            }
        }
        if parts.count == 1 {
            work(0)
        } else {
            withoutActuallyEscaping(work) { work in
                let shared = UncheckedBox(work)
                DispatchQueue.concurrentPerform(iterations: parts.count) { shared.value($0) }
            }
        }
        if let error = errors.first { throw error }
        return sinks
    }

    /// The message for a part's first problem, with the line it is on.
    /// - Parameter recordOffset: the records before `part`'s first one that the failure's record counts from.
    private static func error(
        _ failure: CSVColumnSink.Failure, file: CSVFile, plan: CSVColumnPlan, options: CSVOptions,
        part: Range<Int>, recordOffset: Int
    ) throws -> BackpropError {
        let name = file.name
        switch failure {
        case .syntax(let offset, let reason):
            return BackpropError(.data, "\(name): line \(try file.line(at: offset)): malformed CSV (\(reason)); check the quoting")
        case .unterminatedQuote:
            return BackpropError(.data, "\(name): line \(try file.line(at: max(0, file.size - 1))): unterminated quoted field at end of file")
        case .ragged(let record, let fields):
            let line = try lineOfRecord(record + recordOffset, file: file, part: part, options: options)
            return BackpropError(.data, "\(name): line \(line): expected \(plan.header.count) fields, got \(fields)")
        case .missing(let record, let column):
            let line = try lineOfRecord(record + recordOffset, file: file, part: part, options: options)
            return BackpropError(.data,
                "\(name): line \(line), column '\(plan.header[column])': missing value (set \"missing\": \"drop\" to skip such rows, or \"keep\" and an impute stage to fill them)")
        case .notNumber(let record, let column, let field):
            let line = try lineOfRecord(record + recordOffset, file: file, part: part, options: options)
            return BackpropError(.data,
                "\(name): line \(line), column '\(plan.header[column])': expected a number, got \"\(field)\"" +
                (plan.suggestCategorical[column] ? " (list the column in 'categorical' if it holds labels)" : ""))
        case .outOfMemory(let record):
            let line = try lineOfRecord(record + recordOffset, file: file, part: part, options: options)
            return BackpropError(.data, "\(name): line \(line): out of memory: the rows up to this line do not fit in memory (see the ingest stage's 'cache')")
        case .full(let record):
            // Only sinks writing in place are full, and their reader reads again instead of reporting it.
            let line = try lineOfRecord(record + recordOffset, file: file, part: part, options: options)
            return BackpropError(.data, "\(name): line \(line): more records than line feeds before this line")
        }
    }

    /// The line on which record `record` of `part` ends: the part read again a line at a time
    /// (only on the way to an error message).
    static func lineOfRecord(_ record: Int, file: CSVFile, part: Range<Int>, options: CSVOptions) throws -> Int {
        let counter = RecordCounter()
        let parser = try CSVParser(options: options, sink: counter, name: file.name)
        var line = try file.line(at: part.lowerBound)
        var found: Int?
        try forEachBlock(of: file, in: part, blockSize: blockSize, while: { found == nil }) { _, block in
            var lineStart = 0
            while lineStart < block.count, found == nil {
                let lineEnd = (block[lineStart...].firstIndex(of: 0x0A) ?? (block.count - 1)) + 1
                _ = parser.feed(UnsafeRawBufferPointer(rebasing: block[lineStart..<lineEnd]))
                if counter.records > record { found = line }
                if block[lineEnd - 1] == 0x0A { line += 1 }
                lineStart = lineEnd
            }
        }
        if found == nil { _ = parser.finish() }
        return found ?? line
    }

    /// Calls `body` with consecutive blocks of `range` while `condition` holds before each
    /// (the rest of the range is not read).
    private static func forEachBlock(
        of file: CSVFile, in range: Range<Int>, blockSize: Int, while condition: () -> Bool,
        _ body: (_ offset: Int, _ block: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(blockSize, max(1, range.count)), alignment: 16)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound, condition() {
            let wanted = min(buffer.count, range.upperBound - offset)
            let count = try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            if count == 0 { break }
            try body(offset, UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            offset += count
        }
    }
}

/// The fields of the first record.
private final class FirstRecord: CSVSink {
    var current: [String?] = []
    var fields: [String?]?

    func field(_ bytes: UnsafeRawBufferPointer?) {
        if fields == nil { current.append(bytes.map { String(decoding: $0, as: UTF8.self) }) }
    }

    func endRecord() {
        if fields == nil { fields = current }
    }
}

/// Counts records.
final class RecordCounter: CSVSink {
    var records = 0
    func field(_ bytes: UnsafeRawBufferPointer?) {}
    func endRecord() { records += 1 }
}

/// Bytes read by all parts so far.
final class ByteCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ bytes: Int) -> Int { count.add(bytes, ordering: .relaxed).newValue }
    func reset() { count.store(0, ordering: .relaxed) }
}

/// One error slot per part, written by that part's thread.
final class ErrorSlots: @unchecked Sendable {
    private let lock = Mutex<[Error?]>([])
    init(count: Int) { lock.withLock { $0 = Array(repeating: nil, count: count) } }
    func set(_ index: Int, _ error: Error) { lock.withLock { $0[index] = error } }
    var first: Error? { lock.withLock { $0.lazy.compactMap { $0 }.first } }
}

/// Hands a non-Sendable closure to worker threads that finish before it goes away.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
