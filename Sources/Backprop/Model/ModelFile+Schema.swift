extension ModelFile {
    /// Every field a model file may hold, per object, and whether it is required: the one place
    /// the loader's "unknown field" check reads. A new field is added here and in `encode`.
    /// (A preprocessing step's fields are those its transform saves in `state`, plus `kind`.)
    enum Schema {
        /// The top-level object.
        static let topLevel: [String: Bool] = [
            "format": true, "version": true, "checksum": false, "target": true, "inputs": true,
            "preprocessing": true, "features": true, "layers": true, "training": true,
            "classes": false, "positive_class": false,  // format 2, classifiers
            "csv": false,  // format 2: the training file's delimiter, quote and header
        ]
        /// The `csv` object.
        static let csv: [String: Bool] = ["delimiter": true, "quote": true, "header": true, "missing_markers": false]
        /// An entry of `inputs`.
        static let input: [String: Bool] = ["name": true, "categorical": true]
        /// An entry of `layers`.
        static let layer: [String: Bool] = ["inputs": true, "outputs": true, "activation": true, "weights": true, "bias": false]

        /// The first field of `object` that `schema` does not know, or the first required one
        /// missing, as a message; nil when the object fits.
        static func mismatch(_ object: [String: JSONValue], _ schema: [String: Bool]) -> String? {
            if let unknown = object.keys.sorted().first(where: { schema[$0] == nil }) {
                return "unknown field '\(Limits.excerpt(unknown))' (known: \(schema.keys.sorted().joined(separator: ", ")))"
            }
            if let missing = schema.filter({ $0.value && object[$0.key] == nil }).keys.sorted().first {
                return "missing field '\(missing)'"
            }
            return nil
        }
    }
}
