/// Writing CSV text: fields quoted only when they need it.
public enum CSVText {
    /// `field` as one CSV field: quoted (quotes doubled) when it holds the delimiter, the
    /// quote, a line break or leading/trailing spaces.
    public static func field(_ text: String, delimiter: Character = ",", quote: Character = "\"") -> String {
        let needsQuotes = text.contains(delimiter) || text.contains(quote) || text.contains("\n") || text.contains("\r")
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        var quoted = String(quote)
        for character in text {
            quoted.append(character)
            if character == quote { quoted.append(quote) }
        }
        quoted.append(quote)
        return quoted
    }

    /// One CSV line (no line break) of `fields`.
    public static func line(_ fields: [String], delimiter: Character = ",", quote: Character = "\"") -> String {
        fields.map { field($0, delimiter: delimiter, quote: quote) }.joined(separator: String(delimiter))
    }
}
