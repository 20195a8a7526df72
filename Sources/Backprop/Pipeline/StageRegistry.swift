/// The stage kinds a pipeline may use and the fitted-transform kinds a model may hold.
/// Built-in stages register exactly as users' stages do.
public struct StageRegistry {
    private(set) var stages: [String: any PipelineStage.Type] = [:]
    private(set) var transforms: [String: any FittedTransform.Type] = [:]

    /// An empty registry.
    public init() {}

    /// The registry with every built-in stage and transform.
    public static var standard: StageRegistry {
        var registry = StageRegistry()
        registry.register(IngestStage.self)
        registry.register(NormalizeStage.self)
        registry.register(ImputeStage.self)
        registry.register(SplitStage.self)
        registry.register(TrainStage.self)
        registry.register(EvaluateStage.self)
        registry.register(PluginStage.self)
        registry.register(StandardizeTransform.self)
        registry.register(MinMaxTransform.self)
        registry.register(OneHotTransform.self)
        registry.register(ImputeTransform.self)
        registry.register(PluginTransform.self)
        return registry
    }

    /// Makes `stage` usable under its `kind`, replacing any stage registered under that kind.
    public mutating func register(_ stage: any PipelineStage.Type) {
        stages[stage.kind] = stage
    }

    /// Makes saved transforms of `transform.kind` loadable from model files.
    public mutating func register(_ transform: any FittedTransform.Type) {
        transforms[transform.kind] = transform
    }

    /// The stage registered under `kind`.
    public func stage(kind: String) -> (any PipelineStage.Type)? { stages[kind] }

    /// The stage for `kind` in a pipeline: the registered one, else a plugin stage when
    /// `lib<kind>.so` lies on `search` (`BACKPROP_PLUGIN_PATH`).
    public func resolveStage(kind: String, search: PluginSearchPath = .environment) -> (any PipelineStage.Type)? {
        if let stage = stages[kind] { return stage }
        guard stages[PluginStage.kind] != nil, search.find(PluginSearchPath.libraryName(forKind: kind)) != nil else { return nil }
        return PluginStage.self
    }

    /// The transform registered under `kind`.
    public func transform(kind: String) -> (any FittedTransform.Type)? { transforms[kind] }

    /// Every registered stage, sorted by kind.
    public var stageTypes: [any PipelineStage.Type] {
        stages.values.sorted { $0.kind < $1.kind }
    }
}
