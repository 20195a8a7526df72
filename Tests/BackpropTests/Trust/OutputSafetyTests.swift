import Backprop
import Foundation
import XCTest

/// A run never writes over what it reads, never writes one file twice, replaces nothing but a
/// regular file, and commits its outputs together or not at all.
final class OutputSafetyTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
        write("admit,gre,gpa,rank\n0,380,3.61,3\n1,660,3.67,3\n1,800,4,1\n1,640,3.19,4\n0,520,2.93,4\n1,760,3,2\n0,560,2.98,1\n1,400,3.08,2\n",
              to: "data.csv", in: folder)
    }

    private func pipeline(model: String = "m.json", report: String = "r.json") -> String {
        """
        {"stages": [
          {"stage": "ingest", "path": "data.csv", "target": "admit", "categorical": ["rank"]},
          {"stage": "normalize", "standardize": ["gre"], "one_hot": ["rank"]},
          {"stage": "split", "test_fraction": 0.25, "seed": 1},
          {"stage": "train", "hidden": [2], "epochs": 5, "learning_rate": 0.1, "model": "\(model)"},
          {"stage": "evaluate", "report": "\(report)"}
        ]}
        """
    }

    private func contents(_ name: String) -> Data? { FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) }

    func testAnOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        let before = contents("data.csv")
        for (model, report, parts) in [
            ("data.csv", "r.json", ["field 'model'", "the input of stage 1"]),
            ("m.json", "pipeline.json", ["field 'report'", "the pipeline file"]),
            ("m.json", "sub/../m.json", ["field 'report'", "the output of stage 4 (train): field 'model'"]),
        ] {
            let error = expectFailure(runPipeline(pipeline(model: model, report: report), in: folder))
            for part in parts { XCTAssertTrue(error?.message.contains(part) ?? false, "\(error?.message ?? "") lacks \(part)") }
            XCTAssertEqual(error?.category, .pipeline)
        }
        XCTAssertEqual(contents("data.csv"), before)
        XCTAssertNil(contents("m.json"))
    }

    func testThePredictionsFileIsCheckedToo() throws {
        let text = pipeline().replacingOccurrences(of: #""report": "r.json""#, with: #""predictions": "data.csv""#)
        let error = expectFailure(runPipeline(text, in: folder))
        XCTAssertTrue(error?.message.contains("field 'predictions'") ?? false, error?.message ?? "")
    }

    /// A stage the runner does not know (a user's) asks to write over the input: caught at commit.
    func testAnyStagesOutputIsCheckedBeforeWriting() throws {
        struct Overwriter: PipelineStage {
            static let kind = "overwriter"
            static let summary = "writes over data.csv"
            static let parameterHelp: [ParameterHelp] = []
            let target: URL
            init(parameters p: inout StageParameters) throws { target = p.resolve("data.csv") }
            func run(_ context: inout PipelineContext) throws {
                context.outputs.append(PendingOutput(label: "Mine", url: target, data: Data("gone".utf8)))
            }
        }
        var registry = StageRegistry.standard
        registry.register(Overwriter.self)
        let before = contents("data.csv")
        let file = write(#"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "admit"}, {"stage": "overwriter"}]}"#, to: "pipeline.json", in: folder)
        XCTAssertBackpropError(["output 'Mine'", "the input of stage 1 (ingest)"]) {
            try Pipeline(contentsOf: file, registry: registry).run(log: { _ in })
        }
        XCTAssertEqual(contents("data.csv"), before)
    }

    func testAHardLinkToAnInputIsTheInput() throws {
        XCTAssertEqual(link(folder.appendingPathComponent("data.csv").path, folder.appendingPathComponent("alias.json").path), 0)
        let error = expectFailure(runPipeline(pipeline(model: "alias.json"), in: folder))
        XCTAssertTrue(error?.message.contains("the input of stage 1") ?? false, error?.message ?? "")
    }

    func testFIFOsAndDirectoriesAreNeverReplaced() throws {
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("fifo.json").path, 0o600), 0)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("dir.json"), withIntermediateDirectories: true)
        for (model, kind) in [("fifo.json", "a FIFO"), ("dir.json", "a directory")] {
            let error = expectFailure(runPipeline(pipeline(model: model), in: folder))
            XCTAssertEqual(error?.category, .output)
            XCTAssertTrue(error?.message.contains("it is \(kind), not a regular file") ?? false, error?.message ?? "")
        }
        var info = stat()
        XCTAssertEqual(lstat(folder.appendingPathComponent("fifo.json").path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        XCTAssertNil(contents("r.json"), "no output written")
    }

    func testSymlinksAreRefusedUnlessFollowed() throws {
        write("old", to: "target.json", in: folder)
        XCTAssertEqual(symlink("target.json", folder.appendingPathComponent("link.json").path), 0)
        let error = expectFailure(runPipeline(pipeline(model: "link.json"), in: folder))
        XCTAssertTrue(error?.message.contains("symbolic link") ?? false, error?.message ?? "")
        XCTAssertEqual(contents("target.json"), Data("old".utf8))

        let file = write(pipeline(model: "link.json"), to: "pipeline.json", in: folder)
        try Pipeline(contentsOf: file).run(log: { _ in }, followSymlinks: true)
        var info = stat()
        XCTAssertEqual(lstat(folder.appendingPathComponent("link.json").path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFLNK, "the link stays a link")
        XCTAssertTrue(String(decoding: contents("target.json") ?? Data(), as: UTF8.self).contains("backprop-model"), "its target got the model")
    }

    func testAFailedWriteOfOneOutputLeavesNoneBehind() throws {
        write("a file, not a folder", to: "blocker", in: folder)
        let error = expectFailure(runPipeline(pipeline(report: "blocker/r.json"), in: folder))
        XCTAssertEqual(error?.category, .output)
        XCTAssertTrue(error?.message.contains("no output written") ?? false, error?.message ?? "")
        XCTAssertNil(contents("m.json"), "the model is not written when the report cannot be")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary file left")
    }

    func testTemporaryFilesOfKilledRunsAreRemoved() throws {
        // PIDs above the kernel's maximum (2^22) never run: these are a dead process's leftovers.
        write("partial", to: ".m.json.2147483000.tmp", in: folder)
        write("mine", to: ".m.json.notapid.tmp", in: folder)
        _ = try runPipeline(pipeline(), in: folder).get()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(names.contains(".m.json.2147483000.tmp"), "\(names)")
        XCTAssertTrue(names.contains(".m.json.notapid.tmp"), "files that are not ours are kept")
        XCTAssertTrue(names.contains("m.json"))
    }

    func testValidateReportsTheClashToo() throws {
        let file = write(pipeline(model: "data.csv"), to: "pipeline.json", in: folder)
        let failed = try Pipeline(contentsOf: file).checks().filter { !$0.passed }
        XCTAssertTrue(failed.contains { $0.message.contains("the input of stage 1") }, "\(failed.map(\.message))")
    }
}
