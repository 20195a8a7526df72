import FoundationEssentials

/// The fitted state of a C plugin stage, saved in the model as the library, the plugin's name,
/// its parameters and its state bytes (base64), so that prediction loads the plugin again.
///
/// Saved as `{"kind": "plugin", "library": "libclip.so", "path": "/abs/libclip.so",
/// "name": "clip", "parameters": {…}, "state": "<base64>"}`. On load the library is looked for
/// by file name on `BACKPROP_PLUGIN_PATH` first, then at the path it had when the model was made.
public struct PluginTransform: FittedTransform {
    /// `"plugin"`.
    public static let kind = "plugin"
    /// The library's file name (`libclip.so`).
    public let library: String
    /// The library's absolute path when the model was made.
    public let path: String
    /// The plugin's kind name, from its descriptor.
    public let name: String
    /// The parameters the plugin was created with.
    public let parameters: [String: JSONValue]
    /// The fitted state, as the plugin saved it.
    public let stateBytes: [UInt8]
    let instance: PluginInstance
    let place: String

    /// Wraps a fitted instance and saves its state.
    init(fitted instance: PluginInstance, parameters: [String: JSONValue], place: String) throws {
        self.instance = instance
        self.library = URL(fileURLWithPath: instance.library.path).lastPathComponent
        self.path = instance.library.path
        self.name = instance.library.name
        self.parameters = parameters
        self.place = place
        do {
            stateBytes = try instance.saveState()
        } catch let failure as PluginFailure {
            throw BackpropError(.data, "\(place): plugin '\(name)' (\(library)): \(failure.message)")
        }
    }

    /// Restores a saved plugin step: finds and loads the library, creates the instance with the
    /// saved parameters and restores its state.
    /// - Throws: `.model` naming the library when it is missing, incompatible or refuses the state.
    public init(state: [String: JSONValue]) throws {
        let place = "preprocessing step 'plugin'"
        guard case .string(let library)? = state["library"], case .string(let path)? = state["path"],
              case .string(let name)? = state["name"], case .object(let parameters)? = state["parameters"],
              case .string(let encoded)? = state["state"], let bytes = Data(base64Encoded: encoded) else {
            throw BackpropError(.model, "\(place): missing or malformed 'library', 'path', 'name', 'parameters' or 'state'")
        }
        let search = PluginSearchPath.environment
        guard let file = search.find(library)?.path ?? (FileManager.default.fileExists(atPath: path) ? path : nil) else {
            throw BackpropError(.model, "\(place): plugin '\(name)' (\(library)): library not found (looked in \(search.describe()), \(path)); install it or set BACKPROP_PLUGIN_PATH")
        }
        do {
            let loaded = try PluginLibrary(path: file)
            guard loaded.name == name else {
                throw PluginFailure(message: "the library at \(file) is plugin '\(loaded.name)', the model needs '\(name)'")
            }
            let instance = try loaded.makeInstance(parametersJSON: JSONWriter.serialize(.object(parameters)))
            try instance.restoreState(Array(bytes))
            self.instance = instance
        } catch let failure as PluginFailure {
            throw BackpropError(.model, "\(place): plugin '\(name)' (\(library)): \(failure.message)")
        }
        self.library = library
        self.path = path
        self.name = name
        self.parameters = parameters
        self.stateBytes = Array(bytes)
        self.place = place
    }

    /// The saved form.
    public var state: [String: JSONValue] {
        [
            "library": .string(library), "path": .string(path), "name": .string(name),
            "parameters": .object(parameters), "state": .string(Data(stateBytes).base64EncodedString()),
        ]
    }

    /// Passes the numeric feature columns through the plugin; categorical columns are untouched.
    /// - Throws: `.data` when the plugin fails, drops or adds rows, or gives a non-finite value.
    public func apply(to data: Dataset) throws -> Dataset {
        let (names, values) = data.numericFeatureMatrix()
        let output: [Double]
        do {
            output = data.rowCount == 0 ? [] : try instance.transform(columns: names, values: values, rows: data.rowCount)
        } catch let failure as PluginFailure {
            throw error(failure.message)
        }
        if let bad = output.firstIndex(where: { !$0.isFinite }) {
            let row = bad / names.count, column = names[bad % names.count]
            throw error("transform gave \(output[bad]) in column '\(column)' at data row \(data.rowIDs[row] + 1) (plugins must return finite numbers)")
        }
        return data.replacingNumericFeatures(names: names, values: output)
    }

    private func error(_ message: String) -> BackpropError {
        BackpropError(.data, "\(place): plugin '\(name)' (\(library)): \(message)")
    }
}

extension Dataset {
    /// The numeric feature columns' names and their values, row-major (rows × columns).
    func numericFeatureMatrix(rows: [Int]? = nil) -> (names: [String], values: [Double]) {
        let columns = features.filter { !$0.isCategorical }
        let rows = rows ?? Array(0..<rowCount)
        var values = [Double]()
        values.reserveCapacity(rows.count * columns.count)
        let numbers = columns.map { $0.numbers! }
        for row in rows { for column in numbers { values.append(column[row]) } }
        return (columns.map(\.name), values)
    }

    /// The dataset with the named numeric columns replaced by a row-major matrix's columns.
    func replacingNumericFeatures(names: [String], values: [Double]) -> Dataset {
        var result = self
        for (c, name) in names.enumerated() {
            guard let index = result.featureIndex(named: name) else { continue }
            result.features[index].values = .numeric((0..<rowCount).map { values[$0 * names.count + c] })
        }
        return result
    }
}
