/// Builds typed columns from the fields of one part of a CSV file: numbers straight into
/// `Double` buffers, labels as codes. Stops collecting at the first bad record and says why.
final class CSVColumnSink: CSVSink, @unchecked Sendable {
    /// Why the part's rows could not be read (`record` counts from the part's first record).
    enum Failure {
        case ragged(record: Int, fields: Int)
        case missing(record: Int, column: Int)
        case notNumber(record: Int, column: Int, field: String)
        case syntax(offset: Int, reason: String)
        case unterminatedQuote

        var record: Int? {
            switch self {
            case .ragged(let record, _), .missing(let record, _), .notNumber(let record, _, _): return record
            case .syntax, .unterminatedQuote: return nil
            }
        }
    }

    private let plan: CSVColumnPlan
    private let width: Int
    private let roles: [CSVColumnPlan.Role]
    private let slots: [Int]  // per column: its number buffer or label encoder
    /// The number columns' values, in column order of the plan.
    var numbers: [[Double]]
    /// The label columns' encoders, in column order of the plan.
    var labels: [LabelEncoder]
    /// Records seen (kept, dropped or failed).
    private(set) var records = 0
    /// Part-relative indices of the records dropped for a missing value.
    private(set) var dropped: [Int] = []
    /// The first problem, after which fields are ignored.
    var failure: Failure?
    /// Whether a quote byte occurred in the part (then its end may not be a record boundary).
    var sawQuote = false

    private var column = 0
    private var takenRecords = 0
    private var rowNumbers: [Double]
    private var rowLabels: [UInt32]
    private var missingColumn: Int?
    private var badField: (column: Int, text: String)?

    init(plan: CSVColumnPlan) {
        self.plan = plan
        width = plan.header.count
        roles = plan.roles
        var slots = [Int](), numberCount = 0, labelCount = 0
        for role in plan.roles {
            switch role {
            case .skip: slots.append(-1)
            case .number: slots.append(numberCount); numberCount += 1
            case .label: slots.append(labelCount); labelCount += 1
            }
        }
        self.slots = slots
        numbers = Array(repeating: [], count: numberCount)
        labels = (0..<labelCount).map { _ in LabelEncoder() }
        rowNumbers = Array(repeating: 0, count: numberCount)
        rowLabels = Array(repeating: 0, count: labelCount)
    }

    func field(_ bytes: UnsafeRawBufferPointer?) {
        let index = column
        column += 1
        guard failure == nil, index < width else { return }
        let role = roles[index]
        if role == .skip { return }
        let trimmed = bytes?.trimmingSpaces ?? UnsafeRawBufferPointer(start: nil, count: 0)
        if plan.markers.isMissing(trimmed) {
            if missingColumn == nil { missingColumn = index }
            if role == .number {
                rowNumbers[slots[index]] = .nan
            } else {
                rowLabels[slots[index]] = labels[slots[index]].code(of: trimmed)
            }
            return
        }
        if role == .number {
            if let value = DecimalParser.finiteDouble(trimmed) {
                rowNumbers[slots[index]] = value
            } else if badField == nil {
                badField = (index, Self.quoted(trimmed))
            }
        } else {
            rowLabels[slots[index]] = labels[slots[index]].code(of: trimmed)
        }
    }

    func endRecord() {
        defer {
            records += 1
            column = 0
            missingColumn = nil
            badField = nil
        }
        guard failure == nil else { return }
        if column != width {
            failure = .ragged(record: records, fields: column)
            return
        }
        if let missingColumn {
            switch plan.missingRows {
            case .drop: dropped.append(records); return
            case .error: failure = .missing(record: records, column: missingColumn); return
            case .keep: break
            }
        }
        if let badField {
            failure = .notNumber(record: records, column: badField.column, field: badField.text)
            return
        }
        for slot in rowNumbers.indices { numbers[slot].append(rowNumbers[slot]) }
        for slot in rowLabels.indices { labels[slot].append(rowLabels[slot]) }
    }

    /// Moves the rows completed so far into a new sink, as if they had been a part of their own,
    /// and goes on with the record in progress: a long part can be merged a chunk at a time.
    /// (Records keep counting from the part's start, so a later failure still names its line.)
    func takeCompletedRows() -> CSVColumnSink {
        let taken = CSVColumnSink(plan: plan)
        swap(&taken.numbers, &numbers)
        for slot in labels.indices { taken.labels[slot] = labels[slot].takingCodes() }
        taken.records = records - takenRecords
        taken.dropped = dropped.map { $0 - takenRecords }
        takenRecords = records
        dropped = []
        return taken
    }

    /// Rows kept.
    var rowCount: Int { records - dropped.count - (failure == nil ? 0 : 1) }

    /// At most 80 characters of a field for a message, NUL and other control bytes escaped.
    static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        let limit = 80
        var text = ""
        var characters = 0, truncated = false
        for scalar in String(decoding: bytes.prefix(limit * 4), as: UTF8.self).unicodeScalars {
            if characters == limit { truncated = true; break }
            switch scalar.value {
            case 0: text += "\\0"
            case 0x01..<0x20, 0x7F: text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
            characters += 1
        }
        if truncated || bytes.count > limit * 4 {
            text += "… (\(bytes.count) bytes)"
        }
        return text
    }
}

/// Dictionary-encodes labels as they are read: each distinct label stored once.
struct LabelEncoder {
    private var position: [String: UInt32] = [:]
    /// The distinct labels, in the order first seen.
    private(set) var labels: [String] = []
    /// The code of each kept row.
    private(set) var codes: [UInt32] = []

    /// The code of a label, adding it when new.
    mutating func code(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let label = String(decoding: bytes, as: UTF8.self)
        if let code = position[label] { return code }
        let code = UInt32(labels.count)
        position[label] = code
        labels.append(label)
        return code
    }

    /// Records a row's code.
    mutating func append(_ code: UInt32) { codes.append(code) }

    /// An encoder with these labels and the codes recorded so far, which this one gives up.
    mutating func takingCodes() -> LabelEncoder {
        var taken = LabelEncoder()
        taken.labels = labels
        taken.codes = takeCodes()
        return taken
    }

    /// Gives up the codes (to merge them without a copy).
    mutating func takeCodes() -> [UInt32] {
        defer { codes = [] }
        return codes
    }
}
