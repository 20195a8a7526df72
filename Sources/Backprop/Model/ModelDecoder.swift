import BackpropNumerics
import FoundationEssentials

/// Reads the fields of a parsed model document into a `TrainedModel`, checking every field
/// against `ModelFile.Schema`, every number for finiteness and range, and every cross-reference:
/// unique input and feature names, layer shapes that chain, and preprocessing that, run on a
/// probe row, gives exactly the model's features.
struct ModelDecoder {
    let top: [String: JSONValue]
    let options: ModelLoadOptions
    let registry: StageRegistry

    private func fail(_ field: String, _ message: String) -> ModelLoadFailure {
        ModelLoadFailure(.corrupt, "field '\(field)': \(message)")
    }

    func model() throws(ModelLoadFailure) -> TrainedModel {
        guard case .string(let target)? = top["target"], !target.isEmpty else { throw fail("target", "expected a non-empty string") }
        let inputs = try decodeInputs()
        let preprocessing = try decodePreprocessing()
        let features = try decodeFeatures()
        let network = try decodeNetwork(featureCount: features.count)
        guard case .object(let training)? = top["training"] else { throw fail("training", "expected an object") }
        var model = TrainedModel(
            inputs: inputs, preprocessing: preprocessing, features: features, target: target,
            network: network, training: training,
            targetEncoding: try decodeClasses(training: training, outputs: network.outputCount))
        model.sourceCSV = try decodeCSV()
        model.missingMarkers = try decodeMissingMarkers()
        try checkPreprocessing(model)
        return model
    }

    /// The training file's CSV dialect (format 2, optional): one-character delimiter and quote
    /// that differ and are not line breaks, and the header flag.
    private func decodeCSV() throws(ModelLoadFailure) -> CSVOptions? {
        guard let value = top["csv"] else { return nil }
        guard case .object(let object) = value else { throw fail("csv", "expected an object") }
        if let problem = ModelFile.Schema.mismatch(object, ModelFile.Schema.csv) { throw fail("csv", problem) }
        var options = CSVOptions()
        for (name, keyPath) in [("delimiter", \CSVOptions.delimiter), ("quote", \CSVOptions.quote)] {
            guard case .string(let text)? = object[name], text.utf8.count == 1, let byte = text.utf8.first,
                  byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw fail("csv.\(name)", "expected one character other than a line break")
            }
            options[keyPath: keyPath] = byte
        }
        guard options.delimiter != options.quote else { throw fail("csv.quote", "must differ from the delimiter") }
        guard case .bool(let header)? = object["header"] else { throw fail("csv.header", "expected true or false") }
        options.header = header
        return options
    }

    /// The training file's missing-value markers (`csv.missing_markers`, format 2, optional).
    private func decodeMissingMarkers() throws(ModelLoadFailure) -> MissingValueMarkers? {
        guard case .object(let object)? = top["csv"], let value = object["missing_markers"] else { return nil }
        guard case .array(let items) = value, items.count <= 64 else { throw fail("csv.missing_markers", "expected an array of up to 64 strings") }
        var markers = [String]()
        for item in items {
            guard case .string(let text) = item, !text.isEmpty, text.utf8.count <= 64 else {
                throw fail("csv.missing_markers", "expected non-empty strings of up to 64 bytes")
            }
            markers.append(text)
        }
        return MissingValueMarkers(markers)
    }

    private func decodeInputs() throws(ModelLoadFailure) -> [ModelInput] {
        guard case .array(let values)? = top["inputs"], !values.isEmpty else { throw fail("inputs", "expected a non-empty array") }
        var inputs = [ModelInput](), seen = Set<String>()
        for (index, value) in values.enumerated() {
            let field = "inputs[\(index)]"
            guard case .object(let object) = value else { throw fail(field, "expected an object") }
            if let problem = ModelFile.Schema.mismatch(object, ModelFile.Schema.input) { throw fail(field, problem) }
            guard case .string(let name)? = object["name"], !name.isEmpty else { throw fail("\(field).name", "expected a non-empty string") }
            guard case .bool(let categorical)? = object["categorical"] else { throw fail("\(field).categorical", "expected true or false") }
            guard seen.insert(name).inserted else { throw fail("\(field).name", "input '\(Limits.excerpt(name))' appears twice") }
            inputs.append(ModelInput(name: name, categorical: categorical))
        }
        return inputs
    }

    private func decodePreprocessing() throws(ModelLoadFailure) -> [any FittedTransform] {
        guard case .array(let values)? = top["preprocessing"] else { throw fail("preprocessing", "expected an array") }
        var steps = [any FittedTransform]()
        for (index, value) in values.enumerated() {
            let field = "preprocessing[\(index)]"
            guard case .object(let state) = value, case .string(let kind)? = state["kind"] else {
                throw fail(field, "expected an object with a 'kind'")
            }
            let step: any FittedTransform
            do {
                if kind == PluginTransform.kind {
                    step = try restorePlugin(state, field: field)
                } else {
                    guard let type = registry.transform(kind: kind) else {
                        throw BackpropError(.model, "unknown preprocessing kind '\(Limits.excerpt(kind))'")
                    }
                    step = try type.init(state: state)
                }
            } catch let failure as ModelLoadFailure {
                throw failure
            } catch let error as BackpropError {
                throw fail(field, error.message)
            } catch {
                throw fail(field, "\(error)")
            }
            let saved = Set(step.state.keys).union(["kind"])
            if let unknown = state.keys.sorted().first(where: { !saved.contains($0) }) {
                throw fail(field, "unknown field '\(Limits.excerpt(unknown))' for kind '\(kind)' (known: \(saved.sorted().joined(separator: ", ")))")
            }
            steps.append(step)
        }
        return steps
    }

    private func restorePlugin(_ state: [String: JSONValue], field: String) throws -> any FittedTransform {
        switch options.plugins {
        case .refuse:
            let name = state["name"].flatMap { if case .string(let s) = $0 { return Limits.excerpt(s) } else { return nil } } ?? "?"
            throw ModelLoadFailure(.pluginsNotAllowed, "field '\(field)': the model runs plugin '\(name)', a shared library; loading it would run that library's code, and plugins were not allowed (pipeline: --allow-plugins; C: bp_model_load_ex with BP_LOAD_ALLOW_PLUGINS), with the library on BACKPROP_PLUGIN_PATH")
        case .describeOnly:
            return try PluginTransform(describing: state)
        case .load(let search):
            return try PluginTransform(state: state, search: search)
        }
    }

    private func decodeFeatures() throws(ModelLoadFailure) -> [String] {
        guard case .array(let values)? = top["features"], !values.isEmpty else { throw fail("features", "expected a non-empty array") }
        var features = [String](), seen = Set<String>()
        for (index, value) in values.enumerated() {
            guard case .string(let name) = value, !name.isEmpty else { throw fail("features[\(index)]", "expected a non-empty string") }
            guard seen.insert(name).inserted else { throw fail("features[\(index)]", "feature '\(Limits.excerpt(name))' appears twice") }
            features.append(name)
        }
        return features
    }

    private func decodeNetwork(featureCount: Int) throws(ModelLoadFailure) -> Network {
        guard case .array(let values)? = top["layers"], !values.isEmpty else { throw fail("layers", "expected a non-empty array") }
        guard values.count <= Limits.hiddenLayers + 1 else {
            throw fail("layers", "\(values.count) layers, more than the limit of \(Limits.hiddenLayers + 1) (docs/limits.md)")
        }
        var layers = [DenseLayer](), parameters = 0
        for (index, value) in values.enumerated() {
            let layer = try decodeLayer(value, field: "layers[\(index)]")
            if let previous = layers.last, previous.outputCount != layer.inputCount {
                throw fail("layers[\(index)].inputs", "takes \(layer.inputCount) inputs but the layer before gives \(previous.outputCount)")
            }
            parameters += layer.weights.values.count + (layer.bias?.count ?? 0)
            guard parameters <= Limits.networkParameters else {
                throw fail("layers", "more than the limit of \(Limits.networkParameters) weights and biases (docs/limits.md)")
            }
            layers.append(layer)
        }
        guard layers[0].inputCount == featureCount else {
            throw fail("layers[0].inputs", "the first layer takes \(layers[0].inputCount) inputs but there are \(featureCount) features")
        }
        return Network(layers: layers)
    }

    private func decodeLayer(_ value: JSONValue, field: String) throws(ModelLoadFailure) -> DenseLayer {
        guard case .object(let o) = value else { throw fail(field, "expected an object") }
        if let problem = ModelFile.Schema.mismatch(o, ModelFile.Schema.layer) { throw fail(field, problem) }
        guard case .string(let name)? = o["activation"], let activation = Activation(rawValue: name) else {
            throw fail("\(field).activation", "expected one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let inputs = try count(o["inputs"], field: "\(field).inputs")
        let outputs = try count(o["outputs"], field: "\(field).outputs")
        guard case .array(let rows)? = o["weights"], rows.count == inputs else {
            throw fail("\(field).weights", "expected \(inputs) rows (one per input) of \(outputs) numbers")
        }
        var values = [Double]()
        values.reserveCapacity(inputs * outputs)
        for (r, row) in rows.enumerated() {
            guard case .array(let cells) = row, cells.count == outputs else {
                throw fail("\(field).weights[\(r)]", "expected \(outputs) numbers (one per output)")
            }
            for (c, cell) in cells.enumerated() {
                guard case .number(let n) = cell, n.isFinite else { throw fail("\(field).weights[\(r)][\(c)]", "expected a finite number") }
                values.append(n)
            }
        }
        var bias: [Double]?
        switch o["bias"] {
        case nil, .null?: bias = nil
        case .array(let cells)?:
            guard cells.count == outputs else { throw fail("\(field).bias", "expected \(outputs) numbers (one per output), got \(cells.count)") }
            var numbers = [Double]()
            for (c, cell) in cells.enumerated() {
                guard case .number(let n) = cell, n.isFinite else { throw fail("\(field).bias[\(c)]", "expected a finite number") }
                numbers.append(n)
            }
            bias = numbers
        default: throw fail("\(field).bias", "expected an array of numbers or null")
        }
        return DenseLayer(weights: Matrix(rows: inputs, columns: outputs, values: values), bias: bias, activation: activation)
    }

    /// The class labels of a classifier (format 2 `classes`, `positive_class`), or for format 1
    /// the class codes saved in `training`.
    private func decodeClasses(training: [String: JSONValue], outputs: Int) throws(ModelLoadFailure) -> TargetEncoding? {
        guard let value = top["classes"] else {
            if top["positive_class"] != nil { throw fail("positive_class", "given without 'classes'") }
            guard outputs > 1, case .array(let codes)? = training["classes"], codes.count == outputs else { return nil }
            let labels = codes.compactMap { code -> String? in
                if case .number(let n) = code, n.isFinite { return OneHotTransform.label(for: n) }
                return nil
            }
            return labels.count == outputs ? TargetEncoding(classes: labels) : nil
        }
        guard case .array(let items) = value else { throw fail("classes", "expected an array of strings") }
        var classes = [String]()
        for (index, item) in items.enumerated() {
            guard case .string(let label) = item else { throw fail("classes[\(index)]", "expected a string") }
            classes.append(label)
        }
        guard Set(classes).count == classes.count else { throw fail("classes", "lists a class twice") }
        guard classes.count == (outputs == 1 ? 2 : outputs) else {
            throw fail("classes", "has \(classes.count) labels for \(outputs) output\(outputs == 1 ? " (a sigmoid output needs 2)" : "s")")
        }
        switch top["positive_class"] {
        case nil: break
        case .string(let positive)? where outputs == 1 && positive == classes[1]: break
        default: throw fail("positive_class", "must be the second of 'classes' for a one-output model")
        }
        return TargetEncoding(classes: classes)
    }

    /// A layer size: a whole number from 1 to `Limits.layerUnits`.
    private func count(_ value: JSONValue?, field: String) throws(ModelLoadFailure) -> Int {
        guard case .number(let n)? = value, n == n.rounded(), n >= 1, n <= Double(Limits.layerUnits) else {
            throw fail(field, "expected a whole number from 1 to \(Limits.layerUnits), got \(value?.shortDescription ?? "nothing")")
        }
        return Int(n)
    }

    /// Runs the preprocessing on one probe row of valid raw values and checks that exactly the
    /// model's features come out, all numeric: every step's column exists when it runs, and
    /// every feature is made by the steps. (Skipped for plugin steps read without loading.)
    private func checkPreprocessing(_ model: TrainedModel) throws(ModelLoadFailure) {
        if case .describeOnly = options.plugins, model.preprocessing.contains(where: { $0 is PluginTransform }) { return }
        var seenOneHot = Set<String>()
        for (index, step) in model.preprocessing.enumerated() {
            guard let oneHot = step as? OneHotTransform else { continue }
            guard seenOneHot.insert(oneHot.column).inserted else {
                throw fail("preprocessing[\(index)].column", "column '\(Limits.excerpt(oneHot.column))' is one-hot encoded twice")
            }
        }
        let columns = model.inputs.indices.map { index -> Column in
            let input = model.inputs[index]
            let first = model.categories(ofInput: index).first
            return input.categorical
                ? Column(name: input.name, values: .categorical([first?.label ?? ""]))
                : Column(name: input.name, values: .numeric([first?.code ?? 0]))
        }
        var data = Dataset(source: "probe row", features: columns, target: Column(name: model.target, values: .numeric([0])), rowIDs: [0])
        for (index, step) in model.preprocessing.enumerated() {
            do {
                data = try step.apply(to: data)
            } catch let error as BackpropError {
                throw fail("preprocessing[\(index)]", "does not fit the inputs and the steps before it: \(error.message)")
            } catch {
                throw fail("preprocessing[\(index)]", "\(error)")
            }
        }
        guard data.featureNames == model.features else {
            throw fail("features", "the preprocessing gives [\(data.featureNames.joined(separator: ", "))], the file lists [\(model.features.joined(separator: ", "))]")
        }
        if let text = data.features.first(where: \.isCategorical) {
            throw fail("features", "'\(Limits.excerpt(text.name))' is still categorical after preprocessing (no one_hot step encodes it)")
        }
    }
}
