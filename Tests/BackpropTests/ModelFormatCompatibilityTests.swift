import Backprop
import FoundationEssentials
import XCTest

/// Models written by earlier versions of the format keep loading and predicting as they did.
final class ModelFormatCompatibilityTests: XCTestCase {
    private func fixture(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/BackpropTests/Fixtures/models-v1/\(name)")
    }

    /// `admissions.model.json` and `iris.model.json` were written by main at e20c6a9 (format 1)
    /// from `pipelines/admissions.json` and `pipelines/iris.json`; the expected outputs are what
    /// `pipeline predict` printed for the first five data rows of each CSV with that build.
    func testVersionOneModelsWrittenByEarlierMainStillPredictTheSame() throws {
        let cases: [(model: String, csv: String, expected: [[Double]])] = [
            ("admissions.model.json", "data/admissions.csv", [
                [0.16998833352641995], [0.30406861937601659], [0.65251538116159691],
                [0.1635855114022341], [0.12117174802578345],
            ]),
            ("iris.model.json", "data/iris.csv", [
                [0.99813567569198869, 0.00186425650585583, 6.7802155503158912e-08],
                [0.99634306401397166, 0.0036568170572796196, 1.1892874886836182e-07],
                [0.99791384668562522, 0.002086079273313102, 7.4041061526656027e-08],
                [0.99750281711469813, 0.0024970959708692352, 8.6914432585917067e-08],
                [0.99835939267836815, 0.0016405465602258786, 6.0761405885565704e-08],
            ]),
        ]
        for (name, csv, expected) in cases {
            let text = try String(contentsOf: fixture(name), encoding: .utf8)
            XCTAssertTrue(text.contains("\"version\": 1,"), "\(name) is a format 1 file")
            let model = try ModelFile.load(fixture(name))
            let lines = try String(contentsOf: repositoryRoot.appendingPathComponent(csv), encoding: .utf8)
                .split(separator: "\n").prefix(6).joined(separator: "\n") + "\n"
            let table = try CSVReader.parse(Data(lines.utf8), name: csv)
            let outputs = try model.predict(raw: model.rawDataset(table: table, source: csv))
            for row in 0..<5 {
                assertClose((0..<outputs.columns).map { outputs[row, $0] }, expected[row], tolerance: 1e-12, "\(name) row \(row)")
            }
            // Saved again, it is a current-version file that predicts the same.
            let again = try ModelFile.decode(ModelFile.encode(model))
            XCTAssertEqual(try again.predict(raw: model.rawDataset(table: table, source: csv)), outputs)
        }
    }
}
