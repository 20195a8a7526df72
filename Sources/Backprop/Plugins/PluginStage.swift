import FoundationEssentials

/// A preprocessing stage served by a C plugin (see `include/backprop_plugin.h`).
///
/// Written `{"stage": "plugin", "library": "libclip.so", "params": {…}}`, or, when `libNAME.so`
/// lies in a folder of `BACKPROP_PLUGIN_PATH`, `{"stage": "NAME", …}` with every other field a
/// parameter. Validation loads the library, checks its descriptor and lets the plugin check its
/// parameters, so a missing or incompatible plugin fails before any stage runs.
public struct PluginStage: TransformStage {
    /// `"plugin"`.
    public static let kind = "plugin"
    /// One line for help output.
    public static let summary = "run a preprocessing plugin from a shared library (C ABI, include/backprop_plugin.h)"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("library", "the plugin's .so: a file name looked for on BACKPROP_PLUGIN_PATH then beside the pipeline, or a path relative to the pipeline (required)"),
        ParameterHelp("params", "a JSON object handed to the plugin's create (default {})"),
    ]

    let library: PluginLibrary
    let parameters: [String: JSONValue]
    let place: String

    /// Reads the parameters, loads the library and lets the plugin validate its parameters.
    public init(parameters p: inout StageParameters) throws {
        let file: URL
        if p.kind == Self.kind {
            let name = try p.string("library")
            switch p.value("params") {
            case nil: parameters = [:]
            case .object(let fields)?: parameters = fields
            case let other?: throw p.error("expected an object, got \(other.shortDescription)", field: "params")
            }
            do {
                file = try PluginSearchPath.environment.locate(name, pipelineFolder: p.pipelineFile.deletingLastPathComponent())
            } catch let failure as PluginFailure {
                throw p.error("plugin library '\(name)': \(failure.message)", field: "library")
            }
        } else {
            let name = PluginSearchPath.libraryName(forKind: p.kind)
            guard let found = PluginSearchPath.environment.find(name) else {
                throw p.error("no \(name) on BACKPROP_PLUGIN_PATH")
            }
            file = found
            parameters = p.remainingFields()
        }
        let label = file.lastPathComponent
        do {
            library = try PluginLibrary(path: file.path)
            if p.kind != Self.kind, library.name != p.kind {
                throw PluginFailure(message: "its descriptor names plugin '\(library.name)', not '\(p.kind)'")
            }
            _ = try library.makeInstance(parametersJSON: JSONWriter.serialize(.object(parameters)))
        } catch let failure as PluginFailure {
            throw p.error("plugin library '\(label)': \(failure.message)")
        }
        place = "stage \(p.index + 1) (\(p.kind))"
    }

    /// Creates a fresh instance and fits it on `rows` of the numeric feature columns.
    public func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] {
        let (names, values) = data.numericFeatureMatrix(rows: rows)
        do {
            let instance = try library.makeInstance(parametersJSON: JSONWriter.serialize(.object(parameters)))
            try instance.fit(columns: names, values: values, rows: rows.count)
            return [try PluginTransform(fitted: instance, parameters: parameters, place: place)]
        } catch let failure as PluginFailure {
            let label = URL(fileURLWithPath: library.path).lastPathComponent
            throw BackpropError(.data, "\(place): plugin '\(library.name)' (\(label)): \(failure.message)")
        }
    }
}
