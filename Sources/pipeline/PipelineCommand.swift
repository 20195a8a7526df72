import ArgumentParser
import Backprop
import FoundationEssentials
import Glibc

/// The `pipeline` command: runs and checks declarative training pipelines.
@main
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Train and evaluate small feed-forward networks on tabular data from a JSON pipeline.",
        discussion: """
            Stage kinds:
            \(StageRegistry.standard.stageTypes.map { "  " + $0.kind + String(repeating: " ", count: max(1, 11 - $0.kind.count)) + $0.summary }.joined(separator: "\n"))

            Exit codes:
              0  success
              \(BackpropError.Category.pipeline.exitCode)  bad pipeline file (JSON, stage kinds, fields)
              \(BackpropError.Category.data.exitCode)  bad data (CSV, missing values, columns, categories)
              \(BackpropError.Category.training.exitCode)  training failed (loss became NaN or infinite)
              \(BackpropError.Category.model.exitCode)  bad model file
              \(BackpropError.Category.output.exitCode)  an output could not be written
            """,
        subcommands: [Run.self, Validate.self, Stages.self]
    )
}

/// Runs `body`, turning a `BackpropError` into one line on standard error and its exit code.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as BackpropError {
        let line = Array("error: \(error.message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        throw ExitCode(error.category.exitCode)
    }
}

extension PipelineCommand {
    /// `pipeline run FILE`.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a pipeline file.")

        @Argument(help: "The pipeline JSON file.")
        var file: String

        @Flag(name: .shortAndLong, help: "Print nothing but errors.")
        var quiet = false

        func run() throws {
            try reportingErrors {
                let pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: file))
                let quiet = self.quiet
                try pipeline.run { line in if !quiet { print(line) } }
            }
        }
    }

    /// `pipeline validate FILE`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pipeline file without running it.")

        @Argument(help: "The pipeline JSON file.")
        var file: String

        func run() throws {
            try reportingErrors {
                let pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: file))
                print("\(file): valid (\(pipeline.stages.map { type(of: $0).kind }.joined(separator: " → ")))")
            }
        }
    }

    /// `pipeline stages`.
    struct Stages: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stages", abstract: "List the stage kinds and their parameters.")

        func run() {
            for stage in StageRegistry.standard.stageTypes {
                print("\(stage.kind): \(stage.summary)")
                for parameter in stage.parameterHelp { print("    \(parameter.name): \(parameter.description)") }
            }
        }
    }
}
