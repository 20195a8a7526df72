import FoundationEssentials

extension ModelFile {
    /// The name of the top-level field holding the content digest.
    static let checksumField = "checksum"

    /// The digest of a model document: zlib's CRC-32 of its canonical JSON text (as `JSONWriter`
    /// writes it) without the `checksum` field. Re-formatting the file keeps it valid; changing
    /// any name, number or flag does not.
    static func checksum(of document: [String: JSONValue]) -> String {
        var content = document
        content[checksumField] = nil
        return Checksum.label(JSONWriter.serialize(.object(content)).utf8)
    }

    /// `document` with its `checksum` field set.
    static func sealed(_ document: [String: JSONValue]) -> [String: JSONValue] {
        var result = document
        result[checksumField] = .string(checksum(of: document))
        return result
    }

    /// Checks the `checksum` field when there is one (files written before it existed have none).
    static func verifyChecksum(_ top: [String: JSONValue]) throws(ModelLoadFailure) {
        guard let value = top[checksumField] else { return }
        guard case .string(let recorded) = value else {
            throw ModelLoadFailure(.corrupt, "field 'checksum': expected a string like \"crc32:1a2b3c4d\", got \(value.shortDescription)")
        }
        let actual = checksum(of: top)
        guard recorded == actual else {
            throw ModelLoadFailure(.corrupt, "field 'checksum': the content does not match (recorded \(Limits.excerpt(recorded)), content gives \(actual)): the file was changed after it was written; if that was on purpose, re-seal it with `pipeline seal FILE`")
        }
    }

    /// Re-seals a model file that was edited on purpose: checks everything but the checksum
    /// (plugin steps are read, not loaded), then gives the same document with a fresh checksum.
    /// - Throws: `ModelLoadFailure` when the edited file is not a valid model.
    public static func reseal(_ data: Data) throws(ModelLoadFailure) -> Data {
        _ = try decodeChecked(data, options: ModelLoadOptions(plugins: .describeOnly, verifyChecksum: false))
        guard case .object(let top)? = try? JSONParser.parse(data) else {
            throw ModelLoadFailure(.corrupt, "not a model file")
        }
        return Data(JSONWriter.serialize(.object(sealed(top))).utf8)
    }
}
