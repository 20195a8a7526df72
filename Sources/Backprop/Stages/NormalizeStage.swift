/// Rescales numeric columns and one-hot encodes categorical ones. Before a split it fits on all
/// rows (as the reference does); after a split, on the training rows only.
public struct NormalizeStage: TransformStage {
    /// `"normalize"`.
    public static let kind = "normalize"
    /// One line for help output.
    public static let summary = "standardize, min-max scale or one-hot encode columns"
    /// The parameters.
    public static let parameterHelp = [
        ParameterHelp("standardize", "columns to map to (x − mean) / sample standard deviation (default: none)"),
        ParameterHelp("min_max", "columns to map to (x − min) / (max − min) (default: none)"),
        ParameterHelp("one_hot", "columns to replace by a 0/1 column per category, categories sorted (default: none)"),
    ]

    let standardize: [String]
    let minMax: [String]
    let oneHot: [String]

    /// Reads the parameters.
    public init(parameters p: inout StageParameters) throws {
        standardize = try p.strings("standardize")
        minMax = try p.strings("min_max")
        oneHot = try p.strings("one_hot")
        var seen = Set<String>()
        for (field, names) in [("standardize", standardize), ("min_max", minMax), ("one_hot", oneHot)] {
            for name in names where !seen.insert(name).inserted {
                throw p.error("column '\(name)' is listed twice across standardize, min_max and one_hot", field: field)
            }
        }
        if seen.isEmpty { throw p.error("names no column; give standardize, min_max or one_hot") }
    }

    /// Fits one transform per listed column.
    public func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] {
        func column(_ name: String, _ field: String) throws -> Column {
            guard let index = data.featureIndex(named: name) else {
                throw BackpropError(.data, "field '\(field)': no column '\(name)' (columns: \(data.featureNames.joined(separator: ", ")))")
            }
            return data.features[index]
        }
        var fitted = [any FittedTransform]()
        for name in standardize { fitted.append(try StandardizeTransform(fitting: try column(name, "standardize"), rows: rows)) }
        for name in minMax { fitted.append(try MinMaxTransform(fitting: try column(name, "min_max"), rows: rows)) }
        for name in oneHot {
            let transform = OneHotTransform(fitting: try column(name, "one_hot"), rows: rows)
            guard transform.categories.count <= Limits.categories else {
                throw BackpropError(.data, "cannot one-hot encode column '\(Limits.excerpt(name))': \(transform.categories.count) categories, more than the limit of \(Limits.categories) (docs/limits.md)")
            }
            fitted.append(transform)
        }
        return fitted
    }
}
