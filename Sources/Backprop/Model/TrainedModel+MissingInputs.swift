/// Rows with missing inputs, for callers that skip them (`pipeline predict --missing skip`).
extension TrainedModel {
    /// The rows of `table` in which every model input has a value (a field that is not empty
    /// and not a missing-value marker), with their positions in `table`. Inputs the table does
    /// not have are left for `rawDataset(table:source:)` to report.
    public func withoutMissingInputs(_ table: CSVTable) -> (table: CSVTable, kept: [Int]) {
        let columns = inputs.compactMap { input in table.header.firstIndex(of: input.name) }
        let kept = table.rows.indices.filter { row in
            !columns.contains { IngestStage.isMissing(table.rows[row][$0]) }
        }
        return (CSVTable(header: table.header, rows: kept.map { table.rows[$0] }, lines: kept.map { table.lines[$0] }), kept)
    }
}
