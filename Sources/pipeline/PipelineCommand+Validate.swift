import ArgumentParser
import Backprop
import FoundationEssentials
import Glibc

extension PipelineCommand {
    /// `pipeline validate FILE`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check a pipeline file without running it.",
            discussion: """
                Checks the JSON, every stage's kind and fields (types, ranges, combinations), the \
                stage order, that each input CSV is readable and its header has the named columns, \
                and that every output can be written. Exits 2 on the first field error or when a \
                check fails.
                """)

        @Argument(help: "The pipeline JSON file.")
        var file: String

        func run() throws {
            try reportingErrors {
                let pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: file))
                let checks = pipeline.checks()
                for check in checks where check.passed { print("ok: \(check.message)") }
                if let failure = checks.first(where: { !$0.passed }) {
                    for check in checks.dropFirst() where !check.passed && check.message != failure.message {
                        writeStandardError("error: \(check.message)\n")
                    }
                    throw BackpropError(.pipeline, failure.message)
                }
                print("\(file): valid (\(pipeline.stages.map { type(of: $0).kind }.joined(separator: " → ")))")
            }
        }
    }
}
