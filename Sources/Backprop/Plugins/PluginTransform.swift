import FoundationEssentials

/// The fitted state of a C plugin stage, saved in the model as the library, the plugin's name,
/// its parameters and its state bytes (base64), so that prediction loads the plugin again.
///
/// Saved as `{"kind": "plugin", "library": "libclip.so", "path": "/abs/libclip.so",
/// "name": "clip", "parameters": {…}, "state": "<base64>"}`. On load the library is looked for
/// by file name on the plugin search path only, and only when the caller allowed plugins
/// (`ModelLoadOptions`); `path` is a record of where it was, never opened.
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
    /// The loaded plugin; nil for a step read only to describe it.
    let instance: PluginInstance?
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

    /// Restores a saved plugin step from the library of that file name in `search`'s folders
    /// (the `path` recorded in the model is never opened), creates the instance with the saved
    /// parameters and restores its state.
    /// - Throws: `.model` naming the library when it is missing, incompatible or refuses the state.
    public init(state: [String: JSONValue], search: PluginSearchPath) throws {
        let saved = try Self.savedFields(state)
        guard let file = search.find(saved.library) else {
            throw BackpropError(.model, "plugin '\(saved.name)' (\(saved.library)): library not found (looked in \(search.describe())); install it or set BACKPROP_PLUGIN_PATH")
        }
        try self.init(saved, loading: file.path, onlyIfLoaded: false)
    }

    /// Restores a saved plugin step as the protocol requires (the conformance check's round
    /// trip): the library by file name on `BACKPROP_PLUGIN_PATH`, else the recorded path only
    /// when this process has that library loaded already (so nothing new runs).
    public init(state: [String: JSONValue]) throws {
        let saved = try Self.savedFields(state)
        if let file = PluginSearchPath.environment.find(saved.library) {
            try self.init(saved, loading: file.path, onlyIfLoaded: false)
        } else {
            try self.init(saved, loading: saved.path, onlyIfLoaded: true)
        }
    }

    /// Reads a saved plugin step without loading its library: it can be described, saved again,
    /// and not applied.
    public init(describing state: [String: JSONValue]) throws {
        let saved = try Self.savedFields(state)
        (library, path, name, parameters, stateBytes) = saved
        instance = nil
        place = "preprocessing step 'plugin'"
    }

    private typealias Saved = (library: String, path: String, name: String, parameters: [String: JSONValue], bytes: [UInt8])

    private static func savedFields(_ state: [String: JSONValue]) throws -> Saved {
        guard case .string(let library)? = state["library"], case .string(let path)? = state["path"],
              case .string(let name)? = state["name"], case .object(let parameters)? = state["parameters"],
              case .string(let encoded)? = state["state"], let bytes = Data(base64Encoded: encoded) else {
            throw BackpropError(.model, "preprocessing step 'plugin': missing or malformed 'library', 'path', 'name', 'parameters' or 'state'")
        }
        guard library.hasPrefix("lib"), library.hasSuffix(".so"), !library.contains("/"), library.utf8.count <= 255 else {
            throw BackpropError(.model, "preprocessing step 'plugin': 'library' must be a file name libNAME.so, got \"\(Limits.excerpt(library))\"")
        }
        return (library, path, name, parameters, Array(bytes))
    }

    private init(_ saved: Saved, loading file: String, onlyIfLoaded: Bool) throws {
        let place = "preprocessing step 'plugin'"
        do {
            let loaded = try PluginLibrary(path: file, onlyIfLoaded: onlyIfLoaded)
            guard loaded.name == saved.name else {
                throw PluginFailure(message: "the library at \(file) is plugin '\(loaded.name)', the model needs '\(Limits.excerpt(saved.name))'")
            }
            let instance = try loaded.makeInstance(parametersJSON: JSONWriter.serialize(.object(saved.parameters)))
            try instance.restoreState(saved.bytes)
            self.instance = instance
        } catch let failure as PluginFailure {
            throw BackpropError(.model, "\(place): plugin '\(Limits.excerpt(saved.name))' (\(saved.library)): \(failure.message)")
        }
        (library, path, name, parameters, stateBytes) = saved
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
        guard let instance else {
            throw error("the plugin was read, not loaded (load the model with plugins allowed to predict)")
        }
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
