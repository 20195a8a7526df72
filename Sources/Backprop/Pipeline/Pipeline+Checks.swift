import FoundationEssentials
import Glibc

/// What `pipeline validate` checks beyond the fields, without running a stage: the stage order,
/// the input files and their header columns, and where the outputs go.
extension Pipeline {
    /// The result of one check.
    public struct Check: Sendable {
        /// Whether the check passed.
        public var passed: Bool
        /// What was checked, or what is wrong (naming the stage and field).
        public var message: String
    }

    /// Runs every check that needs no stage to run; reads only the header of each input CSV.
    public func checks() -> [Check] {
        var results = [Check]()
        let name = file.relativePath
        func fail(_ index: Int, _ kind: String, _ message: String) {
            results.append(Check(passed: false, message: "\(name): stage \(index + 1) (\(kind)): \(message)"))
        }
        var seen = Set<String>()
        var outputs = [String: Int]()
        for (index, stage) in stages.enumerated() {
            let kind = type(of: stage).kind
            if kind != IngestStage.kind && !seen.contains(IngestStage.kind) {
                fail(index, kind, "no data yet; put an ingest stage before it")
            }
            if kind == EvaluateStage.kind {
                if !seen.contains(TrainStage.kind) { fail(index, kind, "no trained model yet; put a train stage before it") }
                if !seen.contains(SplitStage.kind) { fail(index, kind, "no test rows; put a split stage before it") }
            }
            if let split = stage as? SplitStage, split.foldCount != nil,
               !stages[(index + 1)...].contains(where: { $0 is EvaluateStage }) {
                fail(index, kind, "field 'folds': cross-validation needs an evaluate stage after the split to score the folds")
            }
            seen.insert(kind)
            if let ingest = stage as? IngestStage { results += ingest.checkInput(name: name, index: index) }
            var written: [(String, URL?)] = []
            if let ingest = stage as? IngestStage { written = [("cache", ingest.cacheURL)] }
            if let refusal = CachedStages.refusal(of: stage, at: index, after: stages[..<index]) { fail(index, kind, refusal) }
            if let train = stage as? TrainStage { written = [("model", train.modelURL)] }
            if let evaluate = stage as? EvaluateStage {
                written = [("report", evaluate.reportURL), ("plot", evaluate.plotURL), ("predictions", evaluate.predictionsURL)]
            }
            for case let (field, url?) in written {
                if let other = outputs[url.path] {
                    fail(index, kind, "field '\(field)': \(url.path) is also written by stage \(other + 1)")
                }
                outputs[url.path] = index
                results.append(Self.checkWritable(url, place: "\(name): stage \(index + 1) (\(kind)): field '\(field)'"))
            }
        }
        results += columnNameChecks()
        do {
            try checkOutputs(followSymlinks: false)
        } catch let error as BackpropError {
            results.append(Check(passed: false, message: error.message))
        } catch {
            results.append(Check(passed: false, message: "\(error)"))
        }
        if results.allSatisfy(\.passed) {
            results.append(Check(passed: true, message: "stage order: \(stages.map { type(of: $0).kind }.joined(separator: " → "))"))
        }
        return results
    }

    /// Whether `url`'s nearest existing folder is writable (the folder itself is created on write).
    static func checkWritable(_ url: URL, place: String) -> Check {
        var folder = url.deletingLastPathComponent()
        while access(folder.path, F_OK) != 0, folder.path != "/" { folder.deleteLastPathComponent() }
        var info = stat()
        guard stat(folder.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(folder.path, W_OK) == 0 else {
            return Check(passed: false, message: "\(place): cannot write to \(folder.path)")
        }
        return Check(passed: true, message: "output \(Pipeline.display(url)) can be written")
    }
}

extension IngestStage {
    /// Checks that the CSV can be read and that its header names the target and columns.
    func checkInput(name: String, index: Int) -> [Pipeline.Check] {
        let place = "\(name): stage \(index + 1) (ingest)"
        do {
            try InputFile.checkRegular(path.path)  // never block on a FIFO or device
        } catch {
            return [Pipeline.Check(passed: false, message: "\(place): field 'path': cannot read \(path.path): \(error)")]
        }
        guard let file = fopen(path.path, "rb") else {
            return [Pipeline.Check(passed: false, message: "\(place): field 'path': cannot read \(path.path)")]
        }
        defer { fclose(file) }
        guard options.header else {
            return [Pipeline.Check(passed: true, message: "input \(Pipeline.display(path)) is readable (no header to check)")]
        }
        // The header line only: up to the first newline of the first 64 KiB.
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = fread(&buffer, 1, buffer.count, file)
        let start = Data(buffer.prefix(count))
        let firstLine = start.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? Data()
        var headerOnly = options
        headerOnly.header = false  // parse the header line as a data row: its fields are the names
        guard let names = try? CSVReader.parse(Data(firstLine) + Data("\n".utf8), name: path.path, options: headerOnly).rows.first else {
            return [Pipeline.Check(passed: false, message: "\(place): field 'path': \(path.path) has no readable header line")]
        }
        let header = names.map { String(($0 ?? "").trimmingSpaces) }
        var results = [Pipeline.Check]()
        for (field, column) in [("target", target)] + (columns ?? []).map({ ("columns", $0) }) + categorical.map({ ("categorical", $0) })
        where !header.contains(column) {
            results.append(Pipeline.Check(passed: false, message: "\(place): field '\(field)': no column '\(column)' in \(Pipeline.display(path)) (columns: \(header.joined(separator: ", ")))"))
        }
        if results.isEmpty {
            results.append(Pipeline.Check(passed: true, message: "input \(Pipeline.display(path)) has the columns \(([target] + (columns ?? [])).joined(separator: ", "))"))
        }
        return results
    }
}
