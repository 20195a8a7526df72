// The only file that imports libcsv: streaming parse through its field and record callbacks.
import CCSV
import FoundationEssentials

/// Reads CSV files strictly with libcsv.
public enum CSVReader {
    /// Reads the CSV file at `url`.
    /// - Throws: `BackpropError` (`.data`) naming the file and line of an unterminated quote,
    ///   malformed quoting, a ragged row or an empty file.
    public static func read(_ url: URL, options: CSVOptions = CSVOptions()) throws -> CSVTable {
        let data: Data
        do {
            data = try InputFile.read(url.path, limit: Int.max - 1)  // a regular file only: never blocks
        } catch {
            throw BackpropError(.data, "\(url.path): cannot read the file: \(error)")
        }
        return try parse(data, name: url.path, options: options)
    }

    /// Parses CSV text already in memory.
    /// - Parameter name: the file name used in error messages.
    public static func parse(_ data: Data, name: String, options: CSVOptions = CSVOptions()) throws -> CSVTable {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // UTF-8 byte-order mark

        let state = ParseState()
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL)) == 0 else {
            throw BackpropError(.data, "\(name): libcsv could not initialise its parser")
        }
        defer { csv_free(&parser) }
        csv_set_delim(&parser, options.delimiter)
        csv_set_quote(&parser, options.quote)

        let context = Unmanaged.passUnretained(state).toOpaque()
        // Feed one physical line at a time so that a record's line number is known when it ends.
        var start = 0
        while start < bytes.count {
            let end = (bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (bytes.count - 1)) + 1
            state.line += 1
            let consumed = bytes[start..<end].withUnsafeBytes { chunk in
                csv_parse(&parser, chunk.baseAddress, chunk.count, onField, onRecord, context)
            }
            if consumed != end - start {
                let reason = String(cString: csv_strerror(csv_error(&parser)))
                throw BackpropError(.data, "\(name): line \(state.line): malformed CSV (\(reason)); check the quoting")
            }
            start = end
        }
        if csv_fini(&parser, onField, onRecord, context) != 0 {
            throw BackpropError(.data, "\(name): line \(state.line): unterminated quoted field at end of file")
        }
        withExtendedLifetime(state) {}

        var records = state.records
        var lines = state.recordLines
        guard !records.isEmpty else { throw BackpropError(.data, "\(name): the file is empty") }
        let header: [String]
        if options.header {
            header = records.removeFirst().enumerated().map { index, field in
                let name = String((field ?? "").trimmingSpaces)
                return name.isEmpty ? "column\(index + 1)" : name
            }
            lines.removeFirst()
            if let duplicate = Dictionary(grouping: header, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw BackpropError(.data, "\(name): line 1: column '\(duplicate)' appears twice in the header")
            }
        } else {
            header = (0..<records[0].count).map { "column\($0 + 1)" }
        }
        guard !records.isEmpty else { throw BackpropError(.data, "\(name): no data rows after the header") }
        for (index, record) in records.enumerated() where record.count != header.count {
            throw BackpropError(.data,
                "\(name): line \(lines[index]): expected \(header.count) fields, got \(record.count)")
        }
        return CSVTable(header: header, rows: records, lines: lines)
    }
}

/// What the libcsv callbacks build, reached through their `void *` argument.
private final class ParseState {
    var line = 0
    var current: [String?] = []
    var records: [[String?]] = []
    var recordLines: [Int] = []
}

private let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { field, length, context in
    let state = Unmanaged<ParseState>.fromOpaque(context!).takeUnretainedValue()
    if let field {
        let text = String(decoding: UnsafeRawBufferPointer(start: field, count: length), as: UTF8.self)
        state.current.append(text)
    } else {
        state.current.append(nil)
    }
}

private let onRecord: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    let state = Unmanaged<ParseState>.fromOpaque(context!).takeUnretainedValue()
    state.records.append(state.current)
    state.recordLines.append(state.line)
    state.current = []
}
