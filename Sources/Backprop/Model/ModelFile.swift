import BackpropNumerics
import FoundationEssentials

/// The model file: one self-describing JSON document holding a `TrainedModel`.
///
/// Layout: `format` (`"backprop-model"`) and `version` first; `target`; `inputs` (raw columns);
/// `preprocessing` (fitted steps, each with its `kind`); `features` (network inputs in order);
/// `layers` (weights as [inputs][outputs], `bias` or null, `activation`); `training`; for a
/// classifier (format 2) `classes` (labels in output order; [negative, positive] for one
/// sigmoid output) and, for one output, `positive_class`.
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

    /// The model as JSON text.
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
        if let encoding = model.targetEncoding {
            document["classes"] = .array(encoding.classes.map(JSONValue.string))
            if model.network.outputCount == 1, let positive = encoding.positiveClass { document["positive_class"] = .string(positive) }
        }
        return Data(JSONWriter.serialize(.object(document)).utf8)
    }

    /// Reads a model file.
    /// - Throws: `BackpropError` (`.model`) naming the file and what is wrong with it.
    public static func load(_ url: URL, registry: StageRegistry = .standard) throws -> TrainedModel {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BackpropError(.model, "\(url.path): cannot read the model file")
        }
        do {
            return try decode(data, registry: registry)
        } catch let error as BackpropError {
            throw BackpropError(.model, "\(url.path): \(error.message)")
        }
    }

    /// Decodes model JSON.
    /// - Throws: `BackpropError` (`.model`) saying what is missing, malformed or of another version.
    public static func decode(_ data: Data, registry: StageRegistry = .standard) throws -> TrainedModel {
        func fail(_ message: String) -> BackpropError { BackpropError(.model, message) }
        guard case .object(let top)? = try? JSONParser.parse(data) else {
            throw fail(isTruncatedJSON(data) ? "truncated or corrupt: the JSON ends before it is complete" : "not a model file (not a JSON object; corrupt)")
        }
        guard case .string(format)? = top["format"] else { throw fail("not a model file (no \"format\": \"\(format)\")") }
        guard case .number(let fileVersion)? = top["version"] else { throw fail("no format version") }
        guard fileVersion == fileVersion.rounded(), readableVersions.contains(Int(exactly: fileVersion) ?? 0) else {
            let newer = fileVersion > Double(version)
            throw fail("model format version \(JSONWriter.number(fileVersion)) is \(newer ? "newer" : "older") than this library's (reads \(readableVersions.lowerBound) to \(version))")
        }
        guard case .string(let target)? = top["target"] else { throw fail("missing 'target'") }
        guard case .array(let inputValues)? = top["inputs"], !inputValues.isEmpty else { throw fail("missing 'inputs'") }
        let inputs = try inputValues.map { value -> ModelInput in
            guard case .object(let o) = value, case .string(let name)? = o["name"], case .bool(let categorical)? = o["categorical"] else {
                throw fail("malformed entry in 'inputs'")
            }
            return ModelInput(name: name, categorical: categorical)
        }
        guard case .array(let stepValues)? = top["preprocessing"] else { throw fail("missing 'preprocessing'") }
        let preprocessing = try stepValues.map { value -> any FittedTransform in
            guard case .object(let state) = value, case .string(let kind)? = state["kind"] else {
                throw fail("malformed entry in 'preprocessing'")
            }
            guard let type = registry.transform(kind: kind) else { throw fail("unknown preprocessing step '\(kind)'") }
            return try type.init(state: state)
        }
        guard case .array(let featureValues)? = top["features"] else { throw fail("missing 'features'") }
        let features = try featureValues.map { value -> String in
            guard case .string(let name) = value else { throw fail("malformed entry in 'features'") }
            return name
        }
        guard case .array(let layerValues)? = top["layers"], !layerValues.isEmpty else { throw fail("missing 'layers'") }
        let layers = try layerValues.enumerated().map { index, value in try decodeLayer(value, index: index) }
        for (i, pair) in zip(layers, layers.dropFirst()).enumerated() where pair.0.outputCount != pair.1.inputCount {
            throw fail("layer \(i + 2) takes \(pair.1.inputCount) inputs but layer \(i + 1) gives \(pair.0.outputCount)")
        }
        guard layers[0].inputCount == features.count else {
            throw fail("the first layer takes \(layers[0].inputCount) inputs but there are \(features.count) features")
        }
        guard case .object(let training)? = top["training"] else { throw fail("missing 'training'") }
        let outputs = layers[layers.count - 1].outputCount
        return TrainedModel(
            inputs: inputs, preprocessing: preprocessing, features: features, target: target,
            network: Network(layers: layers), training: training,
            targetEncoding: try decodeClasses(top, training: training, outputs: outputs))
    }

    /// The classes (format 2: `classes`, `positive_class`; format 1: a softmax model's numeric
    /// `training.classes`), checked against the outputs.
    private static func decodeClasses(_ top: [String: JSONValue], training: [String: JSONValue], outputs: Int) throws -> TargetEncoding? {
        func fail(_ message: String) -> BackpropError { BackpropError(.model, message) }
        guard let value = top["classes"] else {
            if top["positive_class"] != nil { throw fail("'positive_class' without 'classes'") }
            guard outputs > 1, case .array(let codes)? = training["classes"], codes.count == outputs else { return nil }
            let labels = codes.compactMap { code -> String? in
                if case .number(let n) = code, n.isFinite { return OneHotTransform.label(for: n) }
                return nil
            }
            return labels.count == outputs ? TargetEncoding(classes: labels) : nil
        }
        guard case .array(let items) = value else { throw fail("'classes' must be an array of strings") }
        let classes = try items.map { item -> String in
            guard case .string(let label) = item else { throw fail("'classes' must be an array of strings") }
            return label
        }
        guard Set(classes).count == classes.count else { throw fail("'classes' lists a class twice") }
        guard classes.count == (outputs == 1 ? 2 : outputs) else {
            throw fail("'classes' has \(classes.count) labels for \(outputs) output\(outputs == 1 ? " (a sigmoid output needs 2)" : "s")")
        }
        switch top["positive_class"] {
        case nil: break
        case .string(let positive)? where outputs == 1 && positive == classes[1]: break
        default: throw fail("'positive_class' must be the second of 'classes' for a one-output model")
        }
        return TargetEncoding(classes: classes)
    }

    private static func decodeLayer(_ value: JSONValue, index: Int) throws -> DenseLayer {
        func fail(_ message: String) -> BackpropError { BackpropError(.model, "layer \(index + 1): \(message)") }
        guard case .object(let o) = value else { throw fail("expected an object") }
        guard case .string(let name)? = o["activation"], let activation = Activation(rawValue: name) else {
            throw fail("missing or unknown 'activation'")
        }
        guard case .array(let rows)? = o["weights"], !rows.isEmpty else { throw fail("missing 'weights'") }
        let nested = try rows.map { row -> [Double] in
            guard case .array(let cells) = row else { throw fail("'weights' must be [inputs][outputs] numbers") }
            return try cells.map { cell in
                guard case .number(let n) = cell, n.isFinite else { throw fail("'weights' must be [inputs][outputs] numbers") }
                return n
            }
        }
        guard let weights = Matrix(nested), weights.columns > 0 else { throw fail("'weights' rows differ in length") }
        var bias: [Double]?
        switch o["bias"] {
        case nil, .null?: bias = nil
        case .array(let cells)?:
            bias = try cells.map { cell in
                guard case .number(let n) = cell, n.isFinite else { throw fail("'bias' must be numbers") }
                return n
            }
            guard bias!.count == weights.columns else { throw fail("'bias' needs one value per output") }
        default: throw fail("'bias' must be an array or null")
        }
        return DenseLayer(weights: weights, bias: bias, activation: activation)
    }
}
