// Runs pipeline.json with the standard stages plus this package's `robust_scale`, checks the
// stage with the library's conformance check, and predicts again from the saved model.
import Backprop
import Foundation

var registry = StageRegistry.standard
registry.register(RobustScaleStage.self)
registry.register(RobustScaleTransform.self)

do {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let file = folder.appendingPathComponent("pipeline.json")
    let pipeline = try Pipeline(contentsOf: file, registry: registry)
    print("stages: \(pipeline.stages.map { type(of: $0).kind }.joined(separator: " → "))")
    let context = try pipeline.run()

    // The raw rows, as a caller would pass them to the model.
    let ingest = #"{"stages": [{"stage": "ingest", "path": "../../data/admissions.csv", "target": "admit", "categorical": ["rank"]}]}"#
    let raw = try Pipeline(json: Data(ingest.utf8), file: file, registry: registry).run { _ in }.data!

    let stage = pipeline.stages.compactMap { $0 as? RobustScaleStage }.first!
    try StageConformance.check(stage, on: raw, trainingRows: context.split?.train, registry: registry)
    print("conformance: ok")

    let modelURL = folder.appendingPathComponent(".build/example-model.json")
    let reloaded = try ModelFile.load(modelURL, registry: registry)
    let expected = try context.model!.predict(raw: raw), got = try reloaded.predict(raw: raw)
    guard expected.rows == got.rows, (0..<got.rows).allSatisfy({ expected[$0, 0] == got[$0, 0] }) else {
        throw BackpropError(.model, "the reloaded model predicts differently")
    }
    print("reloaded model predicts identically (\(got.rows) rows)")
    do {
        _ = try ModelFile.load(modelURL)
    } catch let error as BackpropError {
        print("without the stage registered, loading fails: \(error.message)")
    }
} catch let error as BackpropError {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    exit(error.category.exitCode)
}
