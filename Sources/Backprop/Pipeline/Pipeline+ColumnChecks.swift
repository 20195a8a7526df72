import FoundationEssentials
import Glibc

/// `pipeline validate`: the columns that normalize and impute stages name, checked against the
/// ingested file's header (a name derived by an earlier step, such as `rank_1` or
/// `gre_missing`, passes when it starts with an input column's name and `_`).
extension Pipeline {
    /// One failed check per column name that no input column can give.
    func columnNameChecks() -> [Check] {
        var results = [Check]()
        var known: [String]?
        for (index, stage) in stages.enumerated() {
            if let ingest = stage as? IngestStage {
                known = ingest.featureNames()
                continue
            }
            guard let known else { continue }
            var named: [(String, String)] = []
            if let normalize = stage as? NormalizeStage {
                named = normalize.standardize.names.map { ("standardize", $0) } + normalize.minMax.names.map { ("min_max", $0) }
                    + normalize.oneHot.names.map { ("one_hot", $0) } + normalize.except.map { ("except", $0) }
                    + normalize.ignoreUnknown.columns.sorted().map { ("unknown", $0) }
            }
            if let impute = stage as? ImputeStage {
                named = (impute.selectsAll ? [] : impute.columns.names.map { ("columns", $0) }) + impute.except.map { ("except", $0) }
            }
            for (field, column) in named where !known.contains(column) && !known.contains(where: { column.hasPrefix($0 + "_") }) {
                results.append(Check(passed: false, message: "\(file.relativePath): stage \(index + 1) (\(type(of: stage).kind)): field '\(field)': no column '\(column)' (the feature columns: \(known.joined(separator: ", ")))"))
            }
        }
        return results
    }
}

extension IngestStage {
    /// The feature columns the stage will read: `columns`, or the header less the target; nil
    /// when the file has no readable header.
    func featureNames() -> [String]? {
        if let columns { return columns }
        guard options.header, (try? InputFile.checkRegular(path.path)) != nil, let file = fopen(path.path, "rb") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = fread(&buffer, 1, buffer.count, file)
        let firstLine = Data(buffer.prefix(count)).split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? Data()
        var headerOnly = options
        headerOnly.header = false
        guard let names = try? CSVReader.parse(Data(firstLine) + Data("\n".utf8), name: path.path, options: headerOnly).rows.first else { return nil }
        return names.map { String(($0 ?? "").trimmingSpaces) }.filter { $0 != target }
    }
}
