import Backprop
import Foundation
import XCTest

/// A run records the seconds of every stage and the peak memory in `--json` (not in the report,
/// which stays byte-identical from run to run).
final class StageTimingTests: XCTestCase {
    func testEveryStageIsTimedAndThePeakMemoryIsRecorded() throws {
        let folder = temporaryFolder(self)
        var csv = "x,y\n"
        for row in 0..<40 { csv += "\(row),\(row % 2)\n" }
        write(csv, to: "data.csv", in: folder)
        let json = """
        {"stages": [{"stage": "ingest", "path": "data.csv", "target": "y"}, {"stage": "normalize", "standardize": ["x"]},
          {"stage": "split", "test_fraction": 0.25, "seed": 1}, {"stage": "train", "hidden": [2], "epochs": 3, "learning_rate": 0.1},
          {"stage": "evaluate", "report": "r.json"}]}
        """
        let context = try runPipeline(json, in: folder).get()
        XCTAssertEqual(context.stageTimings.map(\.kind), ["ingest", "normalize", "split", "train", "evaluate"])
        XCTAssertTrue(context.stageTimings.allSatisfy { $0.seconds >= 0 && $0.seconds < 60 })
        XCTAssertGreaterThan(context.stageTimings.last!.peakMemoryBytes, 1 << 20, "a process takes more than 1 MiB")

        let summary = try JSONSerialization.jsonObject(with: Data(context.runSummaryJSON(pipeline: "p.json").utf8)) as? [String: Any]
        let run = summary?["run"] as? [String: Any]
        XCTAssertEqual((run?["stages"] as? [Any])?.count, 5)
        XCTAssertGreaterThan(run?["peak_memory_bytes"] as? Double ?? 0, 0)

        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("r.json"))) as? [String: Any]
        XCTAssertNil(report?["run"], "no timings in the report: reruns give the same bytes")
    }
}
