@testable import Backprop
import FoundationEssentials
import XCTest

/// Ingest of data as it comes: text targets and columns, missing-value markers, rows kept for
/// an impute stage.
final class IngestRealDataTests: XCTestCase {
    private let csv = """
        species,island,bill,mass
        Adelie Penguin,Torgersen,39.1,3750
        Gentoo,Biscoe,NA,5000
        Adelie Penguin,?,40.3,null
        Chinstrap,Dream,46.5,3500
        Gentoo,Biscoe,47.2,N/A
        Chinstrap,Dream,50.0,3900

        """

    func testATextTargetAndTextColumnsAreReadAsLabelsWithANote() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "p.csv", in: folder)
        let lines = LineSink()
        let context = try runPipeline("""
            {"stages": [{"stage": "ingest", "path": "p.csv", "target": "species", "missing": "drop"}]}
            """, in: folder, lines: lines).get()
        let data = try XCTUnwrap(context.data)
        XCTAssertTrue(data.target.isCategorical)
        XCTAssertEqual(OneHotTransform.labels(data.target.values), ["Adelie Penguin", "Chinstrap", "Chinstrap"])
        XCTAssertTrue(data.features[0].isCategorical, "island holds text")
        XCTAssertEqual(lines.lines.first, "Note: species, island hold text in the first rows of \(Pipeline.display(folder.appendingPathComponent("p.csv"))): read as categorical (list them in 'categorical' to say so)")
        XCTAssertEqual(data.rowIDs, [0, 3, 5], "NA, ?, null and N/A are missing by default: those rows are dropped")
    }

    func testDeclaredCategoricalTargetGivesNoNote() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "p.csv", in: folder)
        let lines = LineSink()
        _ = try runPipeline("""
            {"stages": [{"stage": "ingest", "path": "p.csv", "target": "species", "categorical": ["species", "island"], "missing": "drop"}]}
            """, in: folder, lines: lines).get()
        XCTAssertFalse(lines.lines.contains { $0.hasPrefix("Note:") }, "\(lines.lines)")
    }

    func testMarkersAreConfigurable() throws {
        let folder = temporaryFolder(self)
        write("y,x\n0,1\n1,-999\n0,3\n1,4\n", to: "d.csv", in: folder)
        let context = try runPipeline("""
            {"stages": [{"stage": "ingest", "path": "d.csv", "target": "y", "missing": "keep", "missing_markers": ["-999"]}]}
            """, in: folder).get()
        let x = try XCTUnwrap(context.data?.features[0].numbers)
        XCTAssertEqual(x[0], 1)
        XCTAssertTrue(x[1].isNaN, "-999 marks a missing value here")
        let refused = runPipeline("""
            {"stages": [{"stage": "ingest", "path": "d.csv", "target": "y", "missing_markers": [" NA"]}]}
            """, in: folder)
        XCTAssertTrue(expectFailure(refused)?.message.contains("field 'missing_markers'") ?? false)
    }

    func testKeptMissingValuesWithoutAnImputeStageAreAClearError() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "p.csv", in: folder)
        for (stages, expected) in [
            (#"{"stage": "normalize", "standardize": ["bill"]}"#, "cannot standardize column 'bill': it has missing values (the first in data row 1); put an impute stage before this one"),
            (#"{"stage": "normalize", "one_hot": ["island"]}"#, "cannot one-hot encode column 'island': it has missing values (the first in data row 2); put an impute stage"),
        ] {
            let result = runPipeline("""
                {"stages": [{"stage": "ingest", "path": "p.csv", "target": "species", "categorical": ["species", "island"], "missing": "keep"}, \(stages)]}
                """, in: folder)
            let message = expectFailure(result)?.message ?? ""
            XCTAssertTrue(message.contains(expected), message)
        }
        let train = runPipeline("""
            {"stages": [{"stage": "ingest", "path": "p.csv", "target": "species", "columns": ["bill"], "categorical": ["species"], "missing": "keep"},
                        {"stage": "train", "hidden": [2], "epochs": 1, "learning_rate": 0.1, "loss": "cross_entropy"}]}
            """, in: folder)
        XCTAssertTrue(expectFailure(train)?.message.contains("feature 'bill' is missing in data row 1; put an impute stage before train") ?? false)
    }

    /// Missing values kept, imputed on the training rows, and the model trained: the whole way.
    func testKeptMissingValuesAreImputedAndTheTextClassesLearnt() throws {
        let folder = temporaryFolder(self)
        var rows = [String]()
        for i in 0..<60 {
            let species = ["Adelie", "Gentoo", "Chinstrap"][i % 3]
            let bill = i % 11 == 4 ? "NA" : String(35 + Double(i % 3) * 6 + Double(i % 5) * 0.3)
            let island = i % 13 == 6 ? "" : ["Torgersen", "Biscoe", "Dream"][(i / 3) % 3]
            rows.append("\(species),\(island),\(bill)")
        }
        rows.append(",Dream,40")  // no target: left out
        write("species,island,bill\n" + rows.joined(separator: "\n") + "\n", to: "p.csv", in: folder)
        let lines = LineSink()
        let context = try runPipeline("""
            {"seed": 2, "stages": [
              {"stage": "ingest", "path": "p.csv", "target": "species", "categorical": ["species", "island"], "missing": "keep"},
              {"stage": "split", "test_fraction": 0.25},
              {"stage": "impute", "strategy": "median", "indicator": true},
              {"stage": "normalize", "standardize": "numeric", "one_hot": "categorical", "unknown": "ignore"},
              {"stage": "train", "hidden": [6], "activation": "tanh", "loss": "cross_entropy", "optimizer": "adam", "epochs": 200, "learning_rate": 0.05, "model": "m.json"},
              {"stage": "evaluate", "predictions": "p.out.csv"}
            ]}
            """, in: folder, lines: lines).get()
        XCTAssertTrue(lines.lines.contains("Note: 1 rows of \(Pipeline.display(folder.appendingPathComponent("p.csv"))) have no value for the target 'species': left out"), "\(lines.lines)")
        XCTAssertEqual(context.data?.rowCount, 60)
        let evaluation = try XCTUnwrap(context.multiclassEvaluation)
        XCTAssertGreaterThan(evaluation.accuracy, evaluation.baselineAccuracy + 0.3, "bill separates the species; NA rows get the median")
        let model = try ModelFile.load(folder.appendingPathComponent("m.json"))
        XCTAssertEqual(model.targetEncoding?.classes, ["Adelie", "Chinstrap", "Gentoo"])
        XCTAssertTrue(model.features.contains("bill_missing"))
        let predictions = try String(contentsOf: folder.appendingPathComponent("p.out.csv"), encoding: .utf8)
        XCTAssertTrue(predictions.hasPrefix("row,species,predicted,p_Adelie,p_Chinstrap,p_Gentoo\n"), predictions)
        // A CSV row with NA and an empty island predicts (both inputs are imputed).
        let table = try CSVReader.parse(Data("island,bill\n,NA\nDream,47\n".utf8), name: "rows.csv")
        let out = try model.predict(raw: model.rawDataset(table: table, source: "rows.csv"))
        XCTAssertEqual(out.rows, 2)
        XCTAssertTrue(out.values.allSatisfy(\.isFinite))
    }
}
