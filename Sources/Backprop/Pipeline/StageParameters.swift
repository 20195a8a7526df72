import FoundationEssentials

/// A stage's JSON parameters, read field by field with checks that name the stage and field.
///
/// A stage's initializer reads every field it knows; the runner then rejects any field left over,
/// so a misspelt parameter is an error rather than a silent default.
public struct StageParameters {
    /// The stage's 0-based position in the pipeline.
    public let index: Int
    /// The stage kind (the `stage` field).
    public let kind: String
    /// The pipeline file, for messages and for resolving relative paths.
    public let pipelineFile: URL
    /// The seed this stage uses when it has no `seed` field, derived from the pipeline's seed.
    public let derivedSeed: UInt64
    private let fields: [String: JSONValue]
    private var read: Set<String> = ["stage"]

    /// Creates the parameters of one stage object.
    public init(index: Int, kind: String, fields: [String: JSONValue], pipelineFile: URL, derivedSeed: UInt64) {
        self.index = index
        self.kind = kind
        self.fields = fields
        self.pipelineFile = pipelineFile
        self.derivedSeed = derivedSeed
    }

    /// An error that names the pipeline file, the stage and, when given, the field.
    public func error(_ message: String, field: String? = nil) -> BackpropError {
        let place = field.map { ": field '\(Limits.excerpt($0))'" } ?? ""
        return BackpropError(.pipeline, "\(pipelineFile.relativePath): stage \(index + 1) (\(kind))\(place): \(message)")
    }

    /// The raw value of `field`, marking it as read; nil when absent.
    public mutating func value(_ field: String) -> JSONValue? {
        read.insert(field)
        return fields[field]
    }

    /// Every field but `stage` that no one has read yet, marking them as read: for stages that
    /// hand their fields on as a whole (plugin stages found on `BACKPROP_PLUGIN_PATH`).
    public mutating func remainingFields() -> [String: JSONValue] {
        let rest = fields.filter { !read.contains($0.key) }
        read.formUnion(rest.keys)
        return rest
    }

    /// Whether the stage object has `field`.
    public func has(_ field: String) -> Bool { fields[field] != nil }

    /// The fields that no one read.
    public var unreadFields: [String] { fields.keys.filter { !read.contains($0) }.sorted() }

    /// Fails when the stage object has a field its stage does not know.
    public func rejectUnknownFields(known: [String]) throws {
        if let field = unreadFields.first {
            let list = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
            throw error("unknown field (this stage takes: \(list))", field: field)
        }
    }

    private func mismatch(_ field: String, _ expected: String, _ got: JSONValue) -> BackpropError {
        error("expected \(expected), got \(got.shortDescription)", field: field)
    }

    /// A required string.
    public mutating func string(_ field: String) throws -> String {
        guard let value = value(field) else { throw error("missing (required)", field: field) }
        guard case .string(let text) = value else { throw mismatch(field, "a string", value) }
        return text
    }

    /// An optional string.
    public mutating func optionalString(_ field: String) throws -> String? {
        has(field) ? try string(field) : { _ = value(field); return nil }()
    }

    /// A required number, checked against `range` when given.
    public mutating func number(_ field: String, in range: ClosedRange<Double>? = nil) throws -> Double {
        guard let value = value(field) else { throw error("missing (required)", field: field) }
        guard case .number(let number) = value, number.isFinite else { throw mismatch(field, "a number", value) }
        if let range, !range.contains(number) {
            throw error("expected a number from \(range.lowerBound) to \(range.upperBound), got \(value.shortDescription)", field: field)
        }
        return number
    }

    /// A required whole number no smaller than `minimum`.
    public mutating func integer(_ field: String, minimum: Int = Int.min) throws -> Int {
        guard let value = value(field) else { throw error("missing (required)", field: field) }
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 9e15 else {
            throw mismatch(field, "a whole number", value)
        }
        guard Int(number) >= minimum else {
            throw error("expected a whole number of at least \(minimum), got \(value.shortDescription)", field: field)
        }
        return Int(number)
    }

    /// An optional boolean.
    public mutating func bool(_ field: String, default defaultValue: Bool) throws -> Bool {
        guard let value = value(field) else { return defaultValue }
        guard case .bool(let flag) = value else { throw mismatch(field, "true or false", value) }
        return flag
    }

    /// An optional array of strings; `defaultValue` when absent.
    public mutating func strings(_ field: String, default defaultValue: [String] = []) throws -> [String] {
        guard let value = value(field) else { return defaultValue }
        guard case .array(let items) = value else { throw mismatch(field, "an array of strings", value) }
        return try items.map { item in
            guard case .string(let text) = item else { throw mismatch(field, "an array of strings", item) }
            return text
        }
    }

    /// An optional array of whole numbers, each at least `minimum`; nil when absent.
    public mutating func integers(_ field: String, minimum: Int = Int.min) throws -> [Int]? {
        guard let value = value(field) else { return nil }
        guard case .array(let items) = value else { throw mismatch(field, "an array of whole numbers", value) }
        return try items.map { item in
            guard case .number(let number) = item, number == number.rounded(), number >= Double(minimum), abs(number) < 9e15 else {
                throw mismatch(field, minimum == 0 ? "an array of whole numbers from 0" : "an array of whole numbers", item)
            }
            return Int(number)
        }
    }

    /// A path relative to the pipeline file's folder (absolute paths stay as they are).
    public mutating func path(_ field: String) throws -> URL {
        let text = try string(field)
        guard !text.isEmpty else { throw error("expected a path, got an empty string", field: field) }
        return resolve(text)
    }

    /// An optional path relative to the pipeline file's folder.
    public mutating func optionalPath(_ field: String) throws -> URL? {
        has(field) ? try path(field) : { _ = value(field); return nil }()
    }

    /// Resolves `path` against the pipeline file's folder.
    public func resolve(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return URL(fileURLWithPath: path, relativeTo: pipelineFile.deletingLastPathComponent()).standardizedFileURL
    }

    /// The stage's seed: its own `seed` field, or the one derived from the pipeline's seed.
    public mutating func seed() throws -> UInt64 {
        guard has("seed") else { _ = value("seed"); return derivedSeed }
        return UInt64(try integer("seed", minimum: 0))
    }
}
