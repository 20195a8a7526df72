// The only file that uses the column builder (Sources/CColumnBuilder).
import CColumnBuilder

/// Builds typed columns from the fields of one part of a CSV file: numbers straight into
/// `Double` buffers, labels as codes. Stops collecting at the first bad record and says why.
///
/// The fields reach the C column builder without passing through Swift when libcsv calls it
/// directly (`directCallbacks`); only label fields come back here, to be dictionary-encoded.
final class CSVColumnSink: CSVSink, @unchecked Sendable {
    /// Why the part's rows could not be read (`record` counts from the part's first record).
    enum Failure {
        case ragged(record: Int, fields: Int)
        case missing(record: Int, column: Int)
        case notNumber(record: Int, column: Int, field: String)
        case outOfMemory(record: Int)
        /// The record did not fit in the caller's number buffers (more records than line feeds).
        case full(record: Int)
        case syntax(offset: Int, reason: String)
        case unterminatedQuote

        var record: Int? {
            switch self {
            case .ragged(let record, _), .missing(let record, _), .notNumber(let record, _, _), .outOfMemory(let record),
                 .full(let record): return record
            case .syntax, .unterminatedQuote: return nil
            }
        }
    }

    private let plan: CSVColumnPlan
    private let builder: OpaquePointer
    /// The label columns' dictionaries, in column order of the plan (their codes are in the builder).
    private(set) var labels: [LabelEncoder]
    /// Whether a quote byte occurred in the part (then its end may not be a record boundary).
    var sawQuote = false
    /// A problem found outside the builder (malformed CSV, an unterminated quote).
    private var readerFailure: Failure?

    init(plan: CSVColumnPlan) {
        self.plan = plan
        let roles = plan.roles.map { role -> UInt8 in
            switch role {
            case .skip: UInt8(BP_COLUMN_SKIP)
            case .number: UInt8(BP_COLUMN_NUMBER)
            case .label: UInt8(BP_COLUMN_LABEL)
            }
        }
        labels = Array(repeating: LabelEncoder(), count: roles.count(where: { $0 == UInt8(BP_COLUMN_LABEL) }))
        let missingRows = switch plan.missingRows {
        case .error: BP_MISSING_ERROR
        case .drop: BP_MISSING_DROP
        case .keep: BP_MISSING_KEEP
        }
        let markers = plan.markers.markers.map { Array($0.utf8) }
        let created = withMarkerPointers(markers) { pointers, lengths in
            bp_column_builder_create(roles, roles.count, pointers, lengths, markers.count, Int32(missingRows), { context, slot, bytes, length in
                let sink = Unmanaged<CSVColumnSink>.fromOpaque(context!).takeUnretainedValue()
                return sink.labels[slot].code(of: UnsafeRawBufferPointer(start: UnsafeRawPointer(bytes), count: length))
            }, nil)
        }
        guard let created else { fatalError("out of memory: the columns of a CSV part could not be set up") }
        builder = created
        bp_column_builder_set_label_context(builder, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A sink that writes its number columns into the caller's buffers: `numbers[slot]` for
    /// number column `slot` (number columns counted in column order), each with room for
    /// `capacity` rows and borrowed while the sink lives. A record beyond them stops the sink
    /// with `.full`.
    convenience init(plan: CSVColumnPlan, numbers: [UnsafeMutablePointer<Double>], capacity: Int) {
        self.init(plan: plan)
        let pointers = numbers.map { Optional($0) }
        guard bp_column_builder_use_number_buffers(builder, pointers, capacity) == 0 else {
            preconditionFailure("one buffer per number column of the plan, for a new sink")
        }
    }

    deinit { bp_column_builder_free(builder) }

    /// Maps the pages of the caller's number buffers before the rows are written (fewer page
    /// faults); nothing for a sink with buffers of its own.
    func prefaultNumberBuffers() { bp_column_builder_prefault(builder) }

    /// The line feed bytes in `bytes`.
    static func lineFeeds(in bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return bp_count_line_feeds(base.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    /// The builder's C callbacks, for libcsv to call directly.
    var directCallbacks: CSVDirectCallbacks? {
        CSVDirectCallbacks(field: bp_column_builder_field, record: bp_column_builder_record,
                           context: UnsafeMutableRawPointer(builder))
    }

    func field(_ bytes: UnsafeRawBufferPointer?) {
        bp_column_builder_field(UnsafeMutableRawPointer(mutating: bytes?.baseAddress), bytes?.count ?? 0, UnsafeMutableRawPointer(builder))
    }

    func endRecord() {
        bp_column_builder_record(0, UnsafeMutableRawPointer(builder))
    }

    /// The first problem, after which fields are ignored (records are still counted). Setting
    /// one stops the builder.
    var failure: Failure? {
        get {
            let built = bp_column_builder_failure(builder)
            let record = Int(built.record)
            switch Int(built.kind) {
            case BP_BUILD_RAGGED: return .ragged(record: record, fields: Int(built.fields))
            case BP_BUILD_MISSING: return .missing(record: record, column: Int(built.column))
            case BP_BUILD_NOT_NUMBER:
                let prefix = UnsafeRawBufferPointer(start: built.text, count: built.text_length)
                return .notNumber(record: record, column: Int(built.column), field: Self.quoted(prefix, length: built.field_length))
            case BP_BUILD_OUT_OF_MEMORY: return .outOfMemory(record: record)
            case BP_BUILD_FULL: return .full(record: record)
            default: return readerFailure
            }
        }
        set {
            readerFailure = newValue
            if newValue != nil { bp_column_builder_stop(builder) }
        }
    }

    /// Records seen (kept, dropped or failed), from the part's first record.
    var records: Int { Int(bp_column_builder_records(builder)) }

    /// Rows kept.
    var rowCount: Int { bp_column_builder_rows(builder) }

    /// Part-relative indices of the records dropped for a missing value.
    var dropped: UnsafeBufferPointer<Int64> {
        UnsafeBufferPointer(start: bp_column_builder_dropped(builder), count: bp_column_builder_dropped_count(builder))
    }

    /// The kept values of number column `slot` (number columns counted in column order), valid
    /// until the sink changes; empty once released.
    func numbers(_ slot: Int) -> UnsafeBufferPointer<Double> {
        guard let values = bp_column_builder_numbers(builder, slot) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: values, count: rowCount)
    }

    /// Takes no more rows (before its buffers are released); `failure` stays as it is.
    func stopTakingRows() { bp_column_builder_stop(builder) }

    /// Frees number column `slot` once copied (after `stopTakingRows`; from one thread per column at once).
    func releaseNumbers(_ slot: Int) { bp_column_builder_release_numbers(builder, slot) }

    /// The kept codes of label column `slot`, positions in `labels[slot].labels`, valid until the sink changes.
    func codes(_ slot: Int) -> UnsafeBufferPointer<UInt32> {
        guard let codes = bp_column_builder_codes(builder, slot) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: codes, count: rowCount)
    }

    /// Moves the rows completed so far into a new sink, as if they had been a part of their own,
    /// and goes on with the record in progress: a long part can be merged a chunk at a time.
    /// (Records keep counting from the part's start, so a later failure still names its line.)
    func takeCompletedRows() -> CSVColumnSink {
        let taken = CSVColumnSink(plan: plan)
        guard bp_column_builder_take_rows(builder, taken.builder) == 0 else { preconditionFailure("a new sink of the same plan") }
        taken.labels = labels
        return taken
    }

    /// At most 80 characters of a field for a message, NUL and other control bytes escaped.
    static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        quoted(UnsafeRawBufferPointer(rebasing: bytes.prefix(Int(BP_BAD_FIELD_PREFIX))), length: bytes.count)
    }

    /// At most 80 characters of a field of `length` bytes from its first bytes, `prefix`.
    private static func quoted(_ prefix: UnsafeRawBufferPointer, length: Int) -> String {
        let limit = 80
        var text = ""
        var characters = 0, truncated = false
        for scalar in String(decoding: prefix.prefix(limit * 4), as: UTF8.self).unicodeScalars {
            if characters == limit { truncated = true; break }
            switch scalar.value {
            case 0: text += "\\0"
            case 0x01..<0x20, 0x7F: text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
            characters += 1
        }
        if truncated || length > limit * 4 {
            text += "… (\(length) bytes)"
        }
        return text
    }
}

/// Calls `body` with C pointers to `markers` and their lengths, valid for the call.
private func withMarkerPointers<Result>(_ markers: [[UInt8]], _ body: ([UnsafePointer<CChar>?], [Int]) -> Result) -> Result {
    let copies = markers.map { marker -> UnsafeMutablePointer<CChar> in
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, marker.count))
        for (index, byte) in marker.enumerated() { copy[index] = CChar(bitPattern: byte) }
        return copy
    }
    defer { copies.forEach { $0.deallocate() } }
    let pointers = copies.map { UnsafePointer(Optional($0)) }
    return body(pointers, markers.map(\.count))
}

/// Dictionary-encodes labels as they are read: each distinct label stored once.
struct LabelEncoder {
    private var position: [String: UInt32] = [:]
    /// The distinct labels, in the order first seen.
    private(set) var labels: [String] = []

    /// The code of a label, adding it when new.
    mutating func code(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let label = String(decoding: bytes, as: UTF8.self)
        if let code = position[label] { return code }
        let code = UInt32(labels.count)
        position[label] = code
        labels.append(label)
        return code
    }
}
