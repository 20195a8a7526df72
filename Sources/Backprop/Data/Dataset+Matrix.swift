import BackpropNumerics

extension Dataset {
    /// The feature columns' numbers, shared with the dataset (no copy), for `DatasetRows`.
    /// - Throws: `.data` naming a categorical feature, which the network cannot take.
    public func featureColumns() throws -> [[Double]] {
        try features.map { feature in
            guard let values = feature.numbers else {
                throw BackpropError(.data, "column '\(feature.name)' is categorical; one-hot encode it in a normalize stage before training")
            }
            return values
        }
    }

    /// The feature values of `rows` (all rows when nil) as a matrix, one column per feature.
    /// - Throws: `.data` naming a categorical feature, which the network cannot take.
    public func featureMatrix(rows: [Int]? = nil) throws -> Matrix {
        let rows = rows ?? Array(0..<rowCount)
        var matrix = Matrix(rows: rows.count, columns: features.count)
        for (column, feature) in features.enumerated() {
            guard let values = feature.numbers else {
                throw BackpropError(.data, "column '\(feature.name)' is categorical; one-hot encode it in a normalize stage before training")
            }
            for (row, index) in rows.enumerated() { matrix[row, column] = values[index] }
        }
        return matrix
    }

    /// The target values of `rows` (all rows when nil) as a one-column matrix.
    /// - Throws: `.data` when the target is not numeric.
    public func targetMatrix(rows: [Int]? = nil) throws -> Matrix {
        guard let values = target.numbers else {
            throw BackpropError(.data, "target column '\(target.name)' is categorical; it must hold numbers")
        }
        let rows = rows ?? Array(0..<rowCount)
        return Matrix(rows: rows.count, columns: 1, values: rows.map { values[$0] })
    }
}
