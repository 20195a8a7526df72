import FoundationEssentials

extension ModelFile {
    /// What is wrong with model bytes that `decode` refused, broadly, for callers that branch
    /// on it (the C ABI gives each its own status).
    public enum Problem: Sendable, Equatable {
        /// Empty, or the JSON ends inside an object, array or string: a cut-off copy.
        case truncated
        /// A complete model file of another format version.
        case wrongVersion
        /// Anything else: not JSON, not a model file, malformed fields, a checksum mismatch.
        case corrupt
        /// The model has plugin steps and the caller did not allow loading plugins.
        case pluginsNotAllowed
        /// The file does not exist.
        case notFound
        /// The file exists but cannot be read (or is not a regular file, or too large).
        case unreadable
    }

    /// Classifies bytes that `decode` refused.
    public static func problem(with data: Data) -> Problem {
        do {
            _ = try decodeChecked(data, options: ModelLoadOptions(plugins: .describeOnly))
            return .corrupt
        } catch {
            return error.problem
        }
    }

    /// Whether `data` is empty or ends while a JSON object, array or string is still open.
    static func isTruncatedJSON(_ data: Data) -> Bool {
        var depth = 0, inString = false, escaped = false, sawContent = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return false }  // unbalanced: corrupt, not cut off
            default: break
            }
            if !(byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09) { sawContent = true }
        }
        return !sawContent || inString || depth > 0
    }
}
