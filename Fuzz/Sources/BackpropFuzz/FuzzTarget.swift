import Backprop
import FoundationEssentials

/// One fuzz target: a name for `scripts/fuzz` and the function libFuzzer calls with each input.
/// Every target must return normally for every input: a trap, an abort or an ASan report is a
/// finding (keep the input in `Fuzz/corpus/NAME/` and as a regression test).
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    /// Every target, by name.
    static let all: [String: FuzzTarget] = Dictionary(uniqueKeysWithValues: [
        FuzzTarget(name: "model", run: { bytes in
            // The Swift loader, with plugins refused, then as inspect reads (plugins described).
            let data = Data(bytes)
            _ = try? ModelFile.decodeChecked(data)
            _ = try? ModelFile.decodeChecked(data, options: ModelLoadOptions(plugins: .describeOnly))
            _ = try? ModelFile.reseal(data)
        }),
        FuzzTarget(name: "model-c", run: CEntryPoints.loadAndUse),
        FuzzTarget(name: "pipeline", run: { bytes in
            _ = try? Pipeline(json: Data(bytes), file: URL(fileURLWithPath: "/nonexistent/fuzz/pipeline.json"))
        }),
        FuzzTarget(name: "csv", run: { bytes in
            _ = try? CSVReader.parse(Data(bytes), name: "fuzz.csv")
            CSVIngest.run(bytes)
        }),
    ].map { ($0.name, $0) })
}
