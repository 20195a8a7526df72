import Backprop
import Foundation

/// x → (x − median) / MAD, with the median and the median absolute deviation of the training
/// rows: a scaling that outliers do not pull around. A user-defined stage: it implements the
/// same protocols as the built-in `normalize` and registers the same way.
struct RobustScaleStage: TransformStage {
    /// The kind used in pipeline files: `{"stage": "robust_scale", "columns": [...]}`.
    static let kind = "robust_scale"
    static let summary = "scale columns by their training median and median absolute deviation"
    static let parameterHelp = [ParameterHelp("columns", "numeric columns to scale (required)")]

    let columns: [String]

    /// Decodes and checks the parameters only; no data yet.
    init(parameters p: inout StageParameters) throws {
        columns = try p.strings("columns")
        if columns.isEmpty { throw p.error("missing or empty (name the columns to scale)", field: "columns") }
    }

    /// Fits one transform per column on the training rows.
    func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] {
        try columns.map { name in
            guard let index = data.featureIndex(named: name), let values = data.features[index].numbers else {
                throw BackpropError(.data, "stage robust_scale: no numeric column '\(name)'")
            }
            let sample = rows.map { values[$0] }
            let median = Self.median(sample)
            let mad = Self.median(sample.map { abs($0 - median) })
            guard mad > 0 else { throw BackpropError(.data, "stage robust_scale: column '\(name)' has no spread") }
            return RobustScaleTransform(column: name, median: median, mad: mad)
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// The fitted state of `RobustScaleStage` for one column, saved in the model.
struct RobustScaleTransform: FittedTransform {
    /// The name in the model's `preprocessing` list.
    static let kind = "robust_scale"
    let column: String
    let median: Double
    let mad: Double

    init(column: String, median: Double, mad: Double) {
        self.column = column
        self.median = median
        self.mad = mad
    }

    /// Restores the state saved by `state`.
    init(state: [String: JSONValue]) throws {
        guard case .string(let column)? = state["column"], case .number(let median)? = state["median"],
              case .number(let mad)? = state["mad"], mad > 0 else {
            throw BackpropError(.model, "preprocessing step 'robust_scale': missing or malformed 'column', 'median' or 'mad'")
        }
        self.init(column: column, median: median, mad: mad)
    }

    var state: [String: JSONValue] { ["column": .string(column), "median": .number(median), "mad": .number(mad)] }

    func apply(to data: Dataset) throws -> Dataset {
        guard let index = data.featureIndex(named: column), let values = data.features[index].numbers else {
            throw BackpropError(.data, "robust_scale: the data has no numeric column '\(column)'")
        }
        var result = data
        result.features[index].values = .numeric(values.map { ($0 - median) / mad })
        return result
    }
}
