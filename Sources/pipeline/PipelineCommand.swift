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
              \(BackpropError.Category.training.exitCode)  training failed (loss became NaN or infinite: try a smaller learning_rate)
              \(BackpropError.Category.model.exitCode)  bad model file
              \(BackpropError.Category.output.exitCode)  an output could not be written
            """,
        subcommands: [Run.self, Validate.self, Stages.self, Inspect.self, Predict.self, Seal.self, Export.self]
    )
}

/// Runs `body`, turning a `BackpropError` into one line on standard error and its exit code.
/// With `json`, the error is also printed on standard output as `{"error": …, "category": …, "exit_code": …}`;
/// `silent` prints nothing (a non-leading rank of an mpirun job, whose leader says it).
func reportingErrors(json: Bool = false, silent: Bool = false, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as BackpropError {
        if silent { throw ExitCode(error.category.exitCode) }
        writeStandardError("error: \(error.message)\n")
        if json {
            print(JSONWriter.serialize(.object([
                "error": .string(error.message), "category": .string(error.category.rawValue),
                "exit_code": .number(Double(error.category.exitCode)),
            ])), terminator: "")
        }
        throw ExitCode(error.category.exitCode)
    }
}

extension PipelineCommand {
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

/// Writes `text` to standard error, unbuffered.
func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
