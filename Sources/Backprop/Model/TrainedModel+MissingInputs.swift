/// Missing inputs: those the model imputes, and rows to skip (`pipeline predict --missing skip`).
extension TrainedModel {
    /// The positions of the raw inputs that an impute step fills: for them, a missing value (NaN
    /// in a row of doubles, an empty field or a marker in CSV) is allowed.
    public var imputedInputs: Set<Int> {
        let names = Set(preprocessing.compactMap { ($0 as? ImputeTransform)?.column })
        return Set(inputs.indices.filter { names.contains(inputs[$0].name) })
    }

    /// The rows of `table` in which every model input it does not impute has a value (a field
    /// that is not empty and not a missing-value marker), with their positions in `table`.
    /// Inputs the table does not have are left for `rawDataset(table:source:)` to report.
    public func withoutMissingInputs(_ table: CSVTable) -> (table: CSVTable, kept: [Int]) {
        let imputed = imputedInputs, markers = missingMarkers ?? .standard
        let columns = inputs.indices.filter { !imputed.contains($0) }.compactMap { table.header.firstIndex(of: inputs[$0].name) }
        let kept = table.rows.indices.filter { row in
            !columns.contains { markers.isMissing(table.rows[row][$0]) }
        }
        return (CSVTable(header: table.header, rows: kept.map { table.rows[$0] }, lines: kept.map { table.lines[$0] }), kept)
    }
}
