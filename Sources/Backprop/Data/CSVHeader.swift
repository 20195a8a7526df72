/// The column names of a header record.
enum CSVHeader {
    /// Trimmed names, `columnN` for a blank one.
    /// - Throws: `.data` for a name that appears twice.
    static func names(_ fields: [String?], file: String) throws -> [String] {
        let names = fields.enumerated().map { index, field in
            let name = String((field ?? "").trimmingSpaces)
            return name.isEmpty ? "column\(index + 1)" : name
        }
        var seen = Set<String>()
        if let duplicate = names.first(where: { !seen.insert($0).inserted }) {
            throw BackpropError(.data, "\(file): line 1: column '\(duplicate)' appears twice in the header")
        }
        return names
    }
}
