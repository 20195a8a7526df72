extension String {
    /// The text without leading and trailing spaces and tabs (a cheap, ASCII-only trim for CSV
    /// fields; Foundation's `trimmingCharacters` bridges through NSString and dominates ingest).
    var trimmingSpaces: Substring {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return self[first...last]
    }
}
