import ArgumentParser
import Backprop
import FoundationEssentials
import Glibc

extension PipelineCommand {
    /// `pipeline run FILE`: a progress bar on a terminal, plain lines otherwise, or JSON.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a pipeline file.",
            discussion: """
                On a terminal, training shows a progress bar (epoch, loss, time left) above the log \
                lines; when the output is not a terminal, only the plain lines are printed. \
                --json prints one JSON document at the end instead (losses, gradient norms, metrics, \
                outputs); errors still go to standard error, with a JSON error on standard output.
                """)

        @Argument(help: "The pipeline JSON file.")
        var file: String

        @Flag(name: .shortAndLong, help: "Print nothing but errors.")
        var quiet = false

        @Flag(help: "Print one JSON document with the run's results instead of log lines.")
        var json = false

        @Flag(help: "Write through an output path that is a symbolic link (to its target) instead of refusing it.")
        var followSymlinks = false

        func run() throws {
            try reportingErrors(json: json) {
                let pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: file))
                if json {
                    let context = try pipeline.run(log: { _ in }, followSymlinks: followSymlinks)
                    print(context.runSummaryJSON(pipeline: file), terminator: "")
                    return
                }
                if quiet {
                    try pipeline.run(log: { _ in }, followSymlinks: followSymlinks)
                    return
                }
                guard isatty(STDOUT_FILENO) == 1 else {
                    try pipeline.run(log: { print($0) }, followSymlinks: followSymlinks)
                    return
                }
                let bar = ProgressBar()
                defer { bar.finish() }
                try pipeline.run(log: { bar.log($0) }, progress: { bar.update($0) }, followSymlinks: followSymlinks)
            }
        }
    }
}
