/// What counts as a missing value in a CSV field: the one place that says so. A field is
/// compared after trimming spaces and tabs.
public struct MissingValueMarkers: Sendable, Equatable {
    /// The marker texts; an empty field is always missing.
    public let markers: [String]
    private let markerBytes: [[UInt8]]

    /// Empty fields, `NA`, `NaN`, `N/A`, `null` and `?`: the ingest stage's default
    /// (`missing_markers`) and what `pipeline predict` uses for a model without its own list.
    public static let standard = MissingValueMarkers(["NA", "NaN", "N/A", "null", "?"])

    /// Empty fields and the given texts.
    public init(_ markers: [String]) {
        self.markers = markers
        markerBytes = markers.map { Array($0.utf8) }
    }

    /// Whether trimmed field bytes mark a missing value.
    func isMissing(_ trimmed: UnsafeRawBufferPointer) -> Bool {
        if trimmed.isEmpty { return true }
        for marker in markerBytes where marker.count == trimmed.count && marker.elementsEqual(trimmed) { return true }
        return false
    }

    /// Whether a text field marks a missing value.
    public func isMissing(_ field: String?) -> Bool {
        guard let field else { return true }
        let trimmed = field.trimmingSpaces
        return trimmed.isEmpty || markers.contains { $0 == trimmed }
    }
}
