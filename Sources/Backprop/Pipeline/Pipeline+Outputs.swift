import FoundationEssentials
import Glibc

/// The files a pipeline reads and writes, and the rule that a run never writes over what it
/// reads, writes one file twice, or replaces anything but a regular file.
extension Pipeline {
    /// An output a stage declared: the stage, its field, and the path.
    public struct DeclaredOutput: Sendable {
        /// 0-based stage position.
        public var stage: Int
        /// The field naming the path (`cache`, `model`, `report`, `plot`).
        public var field: String
        /// The path.
        public var url: URL
    }

    /// Every output the stages declare, in stage order.
    public var declaredOutputs: [DeclaredOutput] {
        stages.enumerated().flatMap { index, stage -> [DeclaredOutput] in
            var fields: [(String, URL?)] = []
            if let ingest = stage as? IngestStage { fields = [("cache", ingest.cacheURL)] }
            if let train = stage as? TrainStage { fields = [("model", train.modelURL)] }
            if let evaluate = stage as? EvaluateStage {
                fields = [("report", evaluate.reportURL), ("plot", evaluate.plotURL), ("predictions", evaluate.predictionsURL)]
            }
            return fields.compactMap { field, url in url.map { DeclaredOutput(stage: index, field: field, url: $0) } }
        }
    }

    /// Every file the run reads: the pipeline file, each ingest stage's CSV, each plugin library.
    public var inputFiles: [(what: String, url: URL)] {
        [("the pipeline file", file)] + stages.enumerated().compactMap { index, stage in
            if let ingest = stage as? IngestStage { return ("the input of stage \(index + 1) (ingest)", ingest.path) }
            if let plugin = stage as? PluginStage { return ("the plugin library of stage \(index + 1)", URL(fileURLWithPath: plugin.library.path)) }
            return nil
        }
    }

    /// Checks every declared output: not an input, not another output, and nothing but a
    /// regular file (or nothing) at its path; a symbolic link only when `followSymlinks`.
    /// - Throws: `.pipeline` for a clash, `.output` for a path that cannot be replaced.
    public func checkOutputs(followSymlinks: Bool) throws {
        try checkOutputs(declaredOutputs.map { output in
            (place: "stage \(output.stage + 1) (\(type(of: stages[output.stage]).kind)): field '\(output.field)'", url: output.url)
        }, followSymlinks: followSymlinks)
    }

    /// The same checks on the files the stages actually asked to write (any stage, also one
    /// registered by a user), just before they are written.
    func checkPending(_ outputs: [PendingOutput], followSymlinks: Bool) throws {
        var seen = Set<String>()
        let unique = outputs.filter { seen.insert($0.url.standardizedFileURL.path).inserted }  // one file rewritten: the last content wins
        try checkOutputs(unique.map { (place: "output '\($0.label)'", url: $0.url) }, followSymlinks: followSymlinks)
    }

    private func checkOutputs(_ outputs: [(place: String, url: URL)], followSymlinks: Bool) throws {
        let name = file.relativePath
        var taken: [FileIdentity: String] = [:]
        for input in inputFiles {
            if let identity = FileIdentity(input.url.path) { taken[identity] = input.what }
        }
        for output in outputs {
            let place = "\(name): \(output.place)"
            let target: String
            do {
                target = try AtomicFile.destination(output.url, followSymlinks: followSymlinks)
            } catch let error as BackpropError {
                throw BackpropError(.output, "\(place): \(error.message)")
            }
            guard let identity = FileIdentity(target) else { continue }
            if let other = taken[identity] {
                throw BackpropError(.pipeline, "\(place): \(Pipeline.display(output.url)) is \(other); refusing to overwrite it")
            }
            taken[identity] = "the output of \(output.place)"
        }
    }
}

/// What makes two paths the same file: the device and inode of an existing file, else the
/// resolved folder and the name.
struct FileIdentity: Hashable {
    private let key: String

    /// The identity of `path`, or nil when neither it nor its folder can be resolved.
    init?(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            key = "inode \(info.st_dev):\(info.st_ino)"
            return
        }
        let url = URL(fileURLWithPath: path)
        var folder = url.deletingLastPathComponent().path
        if let resolved = realpath(folder, nil) {
            folder = String(cString: resolved)
            free(resolved)
        }
        key = "path \(folder)/\(url.lastPathComponent)"
    }
}
