import BackpropNumerics
import FoundationEssentials

/// The model file: one self-describing JSON document holding a `TrainedModel`.
///
/// Layout: `format` (`"backprop-model"`) and `version` first; `checksum` (CRC-32 of the rest,
/// see `ModelFile+Checksum.swift`); `target`; `inputs` (raw columns); `preprocessing` (fitted
/// steps, each with its `kind`); `features` (network inputs in order); `layers` (weights as
/// [inputs][outputs], `bias` or null, `activation`); `training`; for a classifier (format 2)
/// `classes` (labels in output order; [negative, positive] for one sigmoid output) and, for one
/// output, `positive_class`. Loading checks the whole file:
/// strict UTF-8, no unknown field, finite numbers, every cross-reference (docs/limits.md).
public enum ModelFile {
    /// The format name at the top of every model file.
    public static let format = "backprop-model"
    /// The format version this library writes.
    ///
    /// Version 2 adds, all optional: `one_hot` steps' `unknown`, constant columns (min-max
    /// `max` equal to `min`, standardize `std` 1), `impute` steps, `target_encoding` (class
    /// labels, positive class, target scaling) and `csv` (the training file's delimiter and quote).
    public static let version = 2
    /// The format versions this library reads: every version so far (a version 1 file is a
    /// version 2 file without the version 2 additions).
    public static let readableVersions = 1...2

    /// The model as JSON text, sealed with its checksum.
    public static func encode(_ model: TrainedModel) -> Data {
        let layers: [JSONValue] = model.network.layers.map { layer in
            .object([
                "inputs": .number(Double(layer.inputCount)),
                "outputs": .number(Double(layer.outputCount)),
                "activation": .string(layer.activation.rawValue),
                "weights": .array(layer.weights.nested.map { .array($0.map(JSONValue.number)) }),
                "bias": layer.bias.map { .array($0.map(JSONValue.number)) } ?? .null,
            ])
        }
        var document: [String: JSONValue] = [
            "format": .string(format),
            "version": .number(Double(version)),
            "target": .string(model.target),
            "inputs": .array(model.inputs.map { .object(["name": .string($0.name), "categorical": .bool($0.categorical)]) }),
            "preprocessing": .array(model.preprocessing.map { step in
                .object(step.state.merging(["kind": .string(type(of: step).kind)]) { _, kind in kind })
            }),
            "features": .array(model.features.map(JSONValue.string)),
            "layers": .array(layers),
            "training": .object(model.training),
        ]
        if let csv = model.sourceCSV {
            document["csv"] = .object([
                "delimiter": .string(String(decoding: [csv.delimiter], as: UTF8.self)),
                "quote": .string(String(decoding: [csv.quote], as: UTF8.self)),
                "header": .bool(csv.header),
                "missing_markers": .array((model.missingMarkers ?? .standard).markers.map(JSONValue.string)),
            ])
        }
        if let encoding = model.targetEncoding {
            document["classes"] = .array(encoding.classes.map(JSONValue.string))
            if model.network.outputCount == 1, let positive = encoding.positiveClass { document["positive_class"] = .string(positive) }
        }
        return Data(JSONWriter.serialize(.object(sealed(document))).utf8)
    }

    /// Reads a model file.
    /// - Throws: `BackpropError` (`.model`) naming the file and the field at fault.
    public static func load(_ url: URL, options: ModelLoadOptions = ModelLoadOptions(), registry: StageRegistry = .standard) throws -> TrainedModel {
        do {
            return try loadChecked(path: url.path, options: options, registry: registry)
        } catch {
            throw BackpropError(.model, error.message)
        }
    }

    /// Reads the model file at `path`, classifying a refusal.
    public static func loadChecked(path: String, options: ModelLoadOptions = ModelLoadOptions(), registry: StageRegistry = .standard) throws(ModelLoadFailure) -> TrainedModel {
        let data: Data
        do {
            data = try InputFile.read(path, limit: Limits.modelFileBytes)
        } catch {
            throw ModelLoadFailure(error == .notFound ? .notFound : .unreadable, "\(path): cannot read the model file: \(error)")
        }
        do {
            return try decodeChecked(data, options: options, registry: registry)
        } catch {
            throw ModelLoadFailure(error.problem, "\(path): \(error.message)")
        }
    }

    /// Decodes model JSON.
    /// - Throws: `BackpropError` (`.model`) saying what is missing, malformed or of another version.
    public static func decode(_ data: Data, options: ModelLoadOptions = ModelLoadOptions(), registry: StageRegistry = .standard) throws -> TrainedModel {
        do {
            return try decodeChecked(data, options: options, registry: registry)
        } catch {
            throw BackpropError(.model, error.message)
        }
    }

    /// Decodes model JSON, classifying a refusal (`ModelLoadFailure.problem`).
    public static func decodeChecked(_ data: Data, options: ModelLoadOptions = ModelLoadOptions(), registry: StageRegistry = .standard) throws(ModelLoadFailure) -> TrainedModel {
        func corrupt(_ message: String) -> ModelLoadFailure { ModelLoadFailure(.corrupt, message) }
        guard data.count <= Limits.modelFileBytes else {
            throw corrupt("the model has \(data.count) bytes, more than the limit of \(Limits.modelFileBytes) (docs/limits.md)")
        }
        do {
            try Limits.reserve(data.count, bytesEach: Limits.jsonMemoryPerByte, limit: Limits.modelFileBytes,
                               what: "reading a model of \(data.count) bytes", category: .model)
        } catch let error as BackpropError {
            throw ModelLoadFailure(.unreadable, error.message)
        } catch {
            throw ModelLoadFailure(.unreadable, "\(error)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(data)
        } catch {
            if isTruncatedJSON(data) { throw ModelLoadFailure(.truncated, "truncated or corrupt: the JSON ends before it is complete") }
            throw corrupt("not a model file (not valid JSON: \(error))")
        }
        guard case .object(let top) = document else { throw corrupt("not a model file (not a JSON object)") }
        guard case .string(format)? = top["format"] else { throw corrupt("not a model file (no \"format\": \"\(format)\")") }
        guard case .number(let fileVersion)? = top["version"] else { throw corrupt("field 'version': missing or not a number") }
        guard fileVersion == fileVersion.rounded() else {
            throw corrupt("field 'version': expected a whole number, got \(JSONWriter.number(fileVersion))")
        }
        guard readableVersions.contains(where: { Double($0) == fileVersion }) else {
            let newer = fileVersion > Double(version)
            throw ModelLoadFailure(.wrongVersion, "model format version \(JSONWriter.number(fileVersion)) is \(newer ? "newer" : "older") than this library's (reads \(readableVersions.lowerBound) to \(version))")
        }
        if let problem = Schema.mismatch(top, Schema.topLevel) { throw corrupt(problem) }
        if options.verifyChecksum { try verifyChecksum(top) }
        return try ModelDecoder(top: top, options: options, registry: registry).model()
    }
}
