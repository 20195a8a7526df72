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
            // Under mpirun: join the job (only then is Open MPI loaded), leave it on every path.
            var group: any ProcessGroup = SingleProcess.shared
            var mpi: MPIProcessGroup?
            try reportingErrors(json: json) {
                if MPIProcessGroup.launchedByMPIRun {
                    mpi = try MPIProcessGroup.join()
                    group = mpi!
                }
            }
            defer { mpi?.finish() }
            // Every rank reaches the same errors (agreed after every stage): the leader says it,
            // the others exit with the same code in silence.
            try reportingErrors(json: json && group.isLeader, silent: !group.isLeader) {
                let pipeline: Pipeline
                do {
                    pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: file))
                    try group.agree(nil)
                } catch let error as BackpropError {
                    try group.agree(error)
                    throw error
                }
                try run(pipeline, group: group, terminal: mpi == nil && isatty(STDOUT_FILENO) == 1)
            }
        }

        /// Runs `pipeline` on `group`: progress only from the leader, and a progress bar only on a
        /// terminal outside mpirun (which forwards output through a pseudo-terminal).
        private func run(_ pipeline: Pipeline, group: any ProcessGroup, terminal: Bool) throws {
            if json || quiet || !group.isLeader {
                let context = try pipeline.run(log: { _ in }, followSymlinks: followSymlinks, group: group)
                if json && group.isLeader { print(context.runSummaryJSON(pipeline: file), terminator: "") }
                return
            }
            guard terminal else {
                try pipeline.run(log: { print($0) }, followSymlinks: followSymlinks, group: group)
                return
            }
            let bar = ProgressBar()
            defer { bar.finish() }
            try pipeline.run(log: { bar.log($0) }, progress: { bar.update($0) },
                             ingestProgress: { bar.reading($0, of: $1) }, followSymlinks: followSymlinks, group: group)
        }
    }
}
