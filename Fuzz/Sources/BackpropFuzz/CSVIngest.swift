import Backprop
import FoundationEssentials
import Glibc

/// The ingest stage as a pipeline runs it (file reading, parsing in parts, numbers, categories,
/// missing values) on the fuzz input written to a file of this process, with the first column
/// as the target, once with a header and numeric columns and once without, all categorical.
enum CSVIngest {
    static let folder = "/tmp/backprop-fuzz-\(getpid())"
    nonisolated(unsafe) static let pipelines: [Pipeline] = {
        mkdir(folder, 0o700)
        let file = URL(fileURLWithPath: "\(folder)/pipeline.json")
        return [
            #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "column1", "header": false, "missing": "drop", "threads": 2}]}"#,
            #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "column1", "header": false, "categorical": ["column2", "column3"]}]}"#,
        ].map { try! Pipeline(json: Data($0.utf8), file: file) }
    }()

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let pipelines = self.pipelines
        let path = "\(folder)/data.csv"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return }
        if let base = bytes.baseAddress { _ = write(descriptor, base, bytes.count) }
        close(descriptor)
        for pipeline in pipelines { _ = try? pipeline.run(log: { _ in }) }
    }
}
