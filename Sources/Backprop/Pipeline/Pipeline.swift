import FoundationEssentials

/// A pipeline read from a JSON file: its stages, configured and validated, ready to run.
public struct Pipeline {
    /// The file it was read from.
    public let file: URL
    /// The configured stages, in order.
    public let stages: [any PipelineStage]

    /// Reads and validates a pipeline file: the JSON, every stage's kind and every field.
    /// Nothing runs and nothing is read besides the file itself.
    /// - Throws: `BackpropError` (`.pipeline`) naming the file, stage and field at fault.
    public init(contentsOf file: URL, registry: StageRegistry = .standard) throws {
        let data: Data
        do {
            data = try InputFile.read(file.path, limit: Limits.pipelineFileBytes)
        } catch {
            throw BackpropError(.pipeline, "\(file.relativePath): cannot read the pipeline file: \(error)")
        }
        try self.init(json: data, file: file, registry: registry)
    }

    /// Reads and validates pipeline JSON; relative paths resolve against `file`'s folder.
    public init(json data: Data, file: URL, registry: StageRegistry = .standard) throws {
        let name = file.relativePath
        try Limits.reserve(data.count, bytesEach: Limits.jsonMemoryPerByte, limit: Limits.pipelineFileBytes,
                           what: "\(name): reading a pipeline of \(data.count) bytes", category: .pipeline)
        let document: JSONValue
        do {
            document = try JSONParser.parse(data)
        } catch {
            throw BackpropError(.pipeline, "\(name): not valid JSON: \(error)")
        }
        guard case .object(let top) = document else {
            throw BackpropError(.pipeline, "\(name): expected a JSON object with a 'stages' array, got \(document.typeDescription)")
        }
        let knownTop: Set = ["stages", "seed", "name", "description"]
        if let unknown = top.keys.sorted().first(where: { !knownTop.contains($0) }) {
            throw BackpropError(.pipeline, "\(name): unknown top-level field '\(Limits.excerpt(unknown))' (known: description, name, seed, stages)")
        }
        var seed: UInt64 = 0
        if let value = top["seed"] {
            guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 9e15 else {
                throw BackpropError(.pipeline, "\(name): field 'seed': expected a whole number from 0, got \(value.shortDescription)")
            }
            seed = UInt64(number)
        }
        guard case .array(let stageValues)? = top["stages"] else {
            throw BackpropError(.pipeline, "\(name): expected a 'stages' array" + (top["stages"].map { ", got \($0.typeDescription)" } ?? ""))
        }
        guard !stageValues.isEmpty else { throw BackpropError(.pipeline, "\(name): 'stages' is empty") }

        var stages = [any PipelineStage]()
        for (index, value) in stageValues.enumerated() {
            guard case .object(let fields) = value else {
                throw BackpropError(.pipeline, "\(name): stage \(index + 1): expected an object, got \(value.typeDescription)")
            }
            guard case .string(let kind)? = fields["stage"] else {
                throw BackpropError(.pipeline, "\(name): stage \(index + 1): missing the 'stage' field naming its kind")
            }
            guard let type = registry.resolveStage(kind: kind) else {
                let known = registry.stageTypes.map { $0.kind }.joined(separator: ", ")
                throw BackpropError(.pipeline, "\(name): stage \(index + 1): unknown stage kind '\(Limits.excerpt(kind))' (known: \(known); or put \(PluginSearchPath.libraryName(forKind: Limits.excerpt(kind))) on BACKPROP_PLUGIN_PATH)")
            }
            var parameters = StageParameters(
                index: index, kind: kind, fields: fields, pipelineFile: file,
                derivedSeed: Pipeline.deriveSeed(seed, stage: index))
            let stage = try type.init(parameters: &parameters)
            try parameters.rejectUnknownFields(known: type.parameterHelp.map(\.name))
            stages.append(stage)
        }
        self.file = file
        self.stages = stages
    }

    /// A seed for stage `index` derived from the pipeline's seed (SplitMix64), so that stages
    /// without their own seed draw different but reproducible numbers. It is kept below 2⁵²,
    /// so that it survives a round trip through JSON and can be copied into a pipeline file.
    public static func deriveSeed(_ seed: UInt64, stage index: Int) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) & ((1 << 52) - 1)
    }

    /// Checks the outputs (`checkOutputs`), runs every stage in order, then writes the outputs
    /// they asked for: atomically, all together, and only when every stage succeeded.
    /// - Parameters:
    ///   - log: receives the progress lines.
    ///   - progress: when given, receives training progress after every epoch.
    /// - Returns: the final context: data, model, losses, metrics, written outputs.
    ///   - followSymlinks: write through an output path that is a symbolic link (to its target)
    ///     instead of refusing it.
    ///   - group: the processes running the pipeline together (this process alone by default).
    @discardableResult
    public func run(
        log: @escaping @Sendable (String) -> Void = { print($0) },
        progress: (@Sendable (TrainingProgress) -> Void)? = nil,
        ingestProgress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int) -> Void)? = nil,
        followSymlinks: Bool = false,
        group: any ProcessGroup = SingleProcess.shared
    ) throws -> PipelineContext {
        try agreeing(group) { try checkOutputs(followSymlinks: followSymlinks) }
        var context = PipelineContext(log: log)
        context.group = group
        context.sharesRows = group.size > 1 && stages.allSatisfy { type(of: $0).combinesAcrossProcesses }
        context.progress = progress
        context.ingestProgress = ingestProgress
        context.pipelineName = file.deletingPathExtension().lastPathComponent
        try runStages(from: 0, &context)
        // Only the leader writes (the other ranks hold the same model and metrics); every rank
        // learns whether the writing failed.
        try agreeing(group) {
            guard group.isLeader else { return }
            try checkPending(context.outputs, followSymlinks: followSymlinks)
            do {
                try AtomicFile.writeAll(context.outputs.map { AtomicFile.Item(url: $0.url, data: $0.data) }, followSymlinks: followSymlinks)
            } catch let error as BackpropError {
                throw BackpropError(error.category, "\(file.relativePath): \(error.message); no output written")
            }
        }
        if group.isLeader {
            for output in context.outputs { log("\(output.label) written to \(Pipeline.display(output.url))") }
        }
        return context
    }

    /// Runs the stages from `first` on; after a split stage with `folds`, first runs the stages
    /// after it once per fold (their outputs dropped, their lines not printed), then once on the
    /// whole split.
    private func runStages(from first: Int, _ context: inout PipelineContext) throws {
        for index in first..<stages.count {
            let stage = stages[index]
            context.stageIndex = index
            context.stageKind = type(of: stage).kind
            let start = ProcessClock.now
            defer {
                context.stageTimings.append(StageTiming(index: index, kind: context.stageKind, seconds: ProcessClock.now - start,
                                                        peakMemoryBytes: ProcessClock.peakMemoryBytes))
            }
            // Every rank meets here after every stage: a failure on any rank stops them all.
            try agreeing(context.group) {
                do {
                    if context.columnCache == nil { try stage.run(&context) } else { try CachedStages.run(stage, &context) }
                    if let split = stage as? SplitStage, split.foldCount != nil {
                        try crossValidate(split, after: index, &context)
                    }
                } catch let error as BackpropError {
                    if error.message.hasPrefix("\(file.relativePath): ") { throw error }  // located in a fold's run
                    throw located(error, stage: index, kind: context.stageKind)
                }
            }
        }
    }

    /// The cross-validation of the stages after `split` (stage `index`): one quiet run per fold,
    /// the summary logged and kept in `context` for the evaluate stage of the final run.
    private func crossValidate(_ split: SplitStage, after index: Int, _ context: inout PipelineContext) throws {
        guard let whole = context.split, var data = context.data, let (folds, repeats) = split.foldCount else { return }
        if context.columnCache != nil {
            // The folds are dealt from every training row's label: the target read whole, for the draw only.
            do {
                data.target = try context.targetColumn().whole()
            } catch let error as BackpropError {
                throw context.error(error.category, error.message)
            }
        }
        let (splits, stratified) = try split.folds(of: whole, data: data, group: context.rowGroup)
        let (trainCount, testCount) = whole.global.map { ($0.trainCount, $0.testCount) } ?? (whole.trainRows.count, whole.testRows.count)
        var runs = [PipelineContext]()
        for (number, fold) in splits.enumerated() {
            var run = context
            run.split = fold
            run.outputs = []
            run.log = { _ in }
            run.progress = nil
            do {
                try runStages(from: index + 1, &run)
            } catch let error as BackpropError {
                throw BackpropError(error.category, "\(error.message) (in cross-validation fit \(number + 1) of \(splits.count))")
            }
            runs.append(run)
        }
        let summary = CrossValidationSummary(folds: folds, repeats: repeats, stratified: stratified, rows: trainCount, runs: runs)
        guard !summary.metrics.isEmpty else {
            throw context.error(.pipeline, "folds: no metrics came out of the folds; put an evaluate stage after the split")
        }
        for line in summary.lines { context.log(line) }
        context.log("Final model: trained on all \(trainCount) training rows" + (testCount == 0 ? " (no test rows held out)" : ", tested on the \(testCount) test rows"))
        context.crossValidation = summary
        context.stageIndex = index
        context.stageKind = type(of: split).kind
    }

    /// `error` with the pipeline file and, unless it names it already, the stage in front: every
    /// run-time error reads "FILE: stage N (KIND): …", as the validation errors do.
    private func located(_ error: BackpropError, stage index: Int, kind: String) -> BackpropError {
        var message = error.message
        let place = "stage \(index + 1) (\(kind)): "
        if !message.hasPrefix(place) { message = place + message }
        return BackpropError(error.category, "\(file.relativePath): \(message)")
    }

    /// A path as the user would write it: relative to the working folder when it is below it.
    static func display(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }
}
