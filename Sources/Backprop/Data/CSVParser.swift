// The only file that imports libcsv: a strict parser that hands each field's bytes to a sink.
import CCSV

/// Receives the fields and record ends libcsv finds.
protocol CSVSink: AnyObject {
    /// One field: its bytes (borrowed for the call), or nil for an empty unquoted field.
    func field(_ bytes: UnsafeRawBufferPointer?)
    /// The end of a record.
    func endRecord()
    /// C functions for libcsv to call instead of `field` and `endRecord` (nil: call those).
    var directCallbacks: CSVDirectCallbacks? { get }
}

extension CSVSink {
    /// None: libcsv's fields reach `field` and `endRecord`.
    var directCallbacks: CSVDirectCallbacks? { nil }
}

/// libcsv's two callbacks and their context, for a sink written in C.
struct CSVDirectCallbacks {
    /// Called with each field's bytes (NULL for an empty unquoted field), its length, and `context`.
    var field: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void
    /// Called at the end of each record with the terminating byte and `context`.
    var record: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void
    /// What the callbacks receive; kept alive by the sink.
    var context: UnsafeMutableRawPointer
}

/// Why libcsv stopped inside a block.
struct CSVSyntaxError {
    /// Bytes of the block consumed before the error.
    var consumed: Int
    /// libcsv's reason.
    var reason: String
}

/// libcsv in strict mode (`CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL`), fed blocks of any size.
final class CSVParser {
    private let parser = UnsafeMutablePointer<csv_parser>.allocate(capacity: 1)
    private let sink: CSVSink
    private let callbacks: CSVDirectCallbacks?

    /// Creates a parser for `options`'s delimiter and quote that feeds `sink`.
    /// - Throws: `.data` when libcsv cannot allocate its parser.
    init(options: CSVOptions, sink: CSVSink, name: String) throws {
        self.sink = sink
        callbacks = sink.directCallbacks
        guard csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL)) == 0 else {
            parser.deallocate()
            throw BackpropError(.data, "\(name): libcsv could not initialise its parser")
        }
        csv_set_delim(parser, options.delimiter)
        csv_set_quote(parser, options.quote)
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
    }

    /// Parses `bytes`; a field or record may continue into the next call.
    /// - Returns: nil, or where and why malformed quoting stopped the parser.
    func feed(_ bytes: UnsafeRawBufferPointer) -> CSVSyntaxError? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let consumed = if let callbacks {
            csv_parse(parser, base, bytes.count, callbacks.field, callbacks.record, callbacks.context)
        } else {
            csv_parse(parser, base, bytes.count, onField, onRecord, Unmanaged.passUnretained(self).toOpaque())
        }
        if consumed != bytes.count {
            return CSVSyntaxError(consumed: consumed, reason: String(cString: csv_strerror(csv_error(parser))))
        }
        return nil
    }

    /// Ends the input: delivers a last record without a line end.
    /// - Returns: false when the input ended inside a quoted field.
    func finish() -> Bool {
        if let callbacks { return csv_fini(parser, callbacks.field, callbacks.record, callbacks.context) == 0 }
        return csv_fini(parser, onField, onRecord, Unmanaged.passUnretained(self).toOpaque()) == 0
    }

    fileprivate func deliverField(_ field: UnsafeMutableRawPointer?, _ length: Int) {
        sink.field(field.map { UnsafeRawBufferPointer(start: $0, count: length) })
    }

    fileprivate func deliverRecordEnd() { sink.endRecord() }
}

private let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { field, length, context in
    Unmanaged<CSVParser>.fromOpaque(context!).takeUnretainedValue().deliverField(field, length)
}

private let onRecord: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    Unmanaged<CSVParser>.fromOpaque(context!).takeUnretainedValue().deliverRecordEnd()
}
