import FoundationEssentials

/// Reads small CSV files (rows to predict, a header line) strictly into text fields; the ingest
/// stage reads straight into columns with `ColumnarCSVReader` instead.
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

        let state = TextRows()
        let parser = try CSVParser(options: options, sink: state, name: name)
        // Fed one physical line at a time so that a record's line number is known when it ends.
        var start = 0
        while start < bytes.count {
            let end = (bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (bytes.count - 1)) + 1
            state.line += 1
            if let error = bytes[start..<end].withUnsafeBytes({ parser.feed($0) }) {
                throw BackpropError(.data, "\(name): line \(state.line): malformed CSV (\(error.reason)); check the quoting")
            }
            start = end
        }
        if !parser.finish() {
            throw BackpropError(.data, "\(name): line \(state.line): unterminated quoted field at end of file")
        }

        var records = state.records
        var lines = state.recordLines
        guard !records.isEmpty else { throw BackpropError(.data, "\(name): the file is empty") }
        let header: [String]
        if options.header {
            header = try CSVHeader.names(records.removeFirst(), file: name)
            lines.removeFirst()
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

/// Records as text fields, with the line each ends on.
private final class TextRows: CSVSink {
    var line = 0
    var current: [String?] = []
    var records: [[String?]] = []
    var recordLines: [Int] = []

    func field(_ bytes: UnsafeRawBufferPointer?) {
        current.append(bytes.map { String(decoding: $0, as: UTF8.self) })
    }

    func endRecord() {
        records.append(current)
        recordLines.append(line)
        current = []
    }
}
