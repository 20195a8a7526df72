/// The network's training targets, made from the target column for any rows when they are
/// needed: each row's class code (a classifier) or its value, standardized when the train stage
/// asks for it. From a cache, a block's targets are made as its rows are read, so nothing holds
/// a training target per row; in memory they are made once for every row (`allRows()`).
struct TargetValues: Sendable {
    /// The mean and standard deviation a standardized target is scaled by.
    struct Scaling: Sendable {
        /// Subtracted first.
        var mean: Double
        /// Then divided by.
        var sd: Double
    }

    /// The target column of the dataset: in memory (shared, not copied) or in a cache file.
    let column: TargetColumn
    /// The classes, for a classifier; nil when the values are trained on as they are.
    let encoding: TargetEncoding?
    /// The standardization, when asked for.
    var scaling: Scaling?

    /// Creates the targets of `column`.
    /// - Throws: `.data` when the column holds labels and there is no encoding.
    init(column: TargetColumn, encoding: TargetEncoding?) throws {
        if encoding == nil, column.isCategorical {
            throw BackpropError(.data, "target column '\(column.name)' is categorical; it must hold numbers")
        }
        self.column = column
        self.encoding = encoding
    }

    /// The targets of the rows at `rows` (positions in the dataset, nil for all), in that order.
    /// - Throws: `.data` when the cache cannot be read.
    func values(at rows: [Int]?) throws -> [Double] {
        guard let rows else { return try allRows() }
        return scaled(encoded(try column.values(at: rows)))
    }

    /// The targets of every row of the dataset.
    /// - Throws: `.data` when the cache cannot be read.
    func allRows() throws -> [Double] {
        scaled(encoded(try column.whole().values))
    }

    private func encoded(_ values: ColumnValues) -> [Double] {
        if let encoding { return encoding.codes(Column(name: column.name, values: values)) }
        if case .numeric(let numbers) = values { return numbers }
        return []
    }

    private func scaled(_ values: [Double]) -> [Double] {
        guard let scaling else { return values }
        return values.map { ($0 - scaling.mean) / scaling.sd }
    }
}
