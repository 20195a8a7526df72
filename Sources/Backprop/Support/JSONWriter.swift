import FoundationEssentials

/// Writes `JSONValue`s as stable, readable JSON: the same value always gives the same bytes.
/// Object keys come in a fixed order (`format` and `version` first, then the rest sorted),
/// arrays of numbers stay on one line, and numbers use the shortest text that reads back exactly.
public enum JSONWriter {
    /// Keys written before all others, in this order.
    static let leadingKeys = ["format", "version", "kind", "name"]

    /// The JSON text of `value`, ending with a newline.
    public static func serialize(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        out += "\n"
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += number(n)
        case .string(let s): out += quoted(s)
        case .array(let items):
            if items.allSatisfy({ if case .number = $0 { return true } else { return false } }) || items.isEmpty {
                out += "[" + items.map { if case .number(let n) = $0 { return number(n) } else { return "" } }.joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad + "  "
                write(item, indent: indent + 1, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += pad + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            let keys = leadingKeys.filter { fields[$0] != nil } + fields.keys.filter { !leadingKeys.contains($0) }.sorted()
            out += "{\n"
            for (i, key) in keys.enumerated() {
                out += pad + "  " + quoted(key) + ": "
                write(fields[key]!, indent: indent + 1, into: &out)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        }
    }

    /// A number as JSON: whole numbers without a fraction, others in Swift's shortest exact form.
    /// Non-finite numbers have no JSON form and are written as null.
    static func number(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(), abs(n) < 1e15 { return String(Int(n)) }
        return String(n)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += cFormat("\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
