import BackpropNumerics
import FoundationEssentials

/// Raw rows as numbers: how a caller that can only pass doubles (the C ABI) names a category,
/// and how such rows, or rows read from CSV, become a `Dataset` for `predict(raw:)`.
extension TrainedModel {
    /// The numbers that stand for `categories` in a row of doubles: each label's own number when
    /// every label is a plain number (`"2"` → 2), else the label's 0-based position.
    public static func categoryCodes(_ categories: [String]) -> [Double] {
        let numbers = categories.map { label in Double(label).flatMap { OneHotTransform.label(for: $0) == label ? $0 : nil } }
        if numbers.allSatisfy({ $0 != nil }) { return numbers.map { $0! } }
        return categories.indices.map(Double.init)
    }

    /// The categories of raw input `index` (from the first one-hot step that encodes it), with
    /// the number standing for each; empty when no one-hot step reads that column.
    public func categories(ofInput index: Int) -> [(label: String, code: Double)] {
        let input = inputs[index]
        guard let oneHot = preprocessing.lazy.compactMap({ $0 as? OneHotTransform }).first(where: { $0.column == input.name }) else {
            return []
        }
        let codes = input.categorical ? Self.categoryCodes(oneHot.categories) : oneHot.categories.map { Double($0) ?? .nan }
        return Array(zip(oneHot.categories, codes))
    }

    /// Whether the one-hot step of raw input `index` encodes an unknown category as zeros.
    public func ignoresUnknown(ofInput index: Int) -> Bool {
        preprocessing.lazy.compactMap { $0 as? OneHotTransform }.first { $0.column == inputs[index].name }?.ignoresUnknown ?? false
    }

    /// Rows of raw values (row-major, one value per input) as a dataset `predict(raw:)` takes.
    /// A categorical input's value is turned back into its label (see `categoryCodes`).
    /// - Throws: `.data` for a value that stands for no category of a categorical input.
    public func rawDataset(values: UnsafeBufferPointer<Double>, rowCount: Int) throws -> Dataset {
        precondition(values.count == rowCount * inputs.count, "one value per input and row")
        let imputed = imputedInputs
        let columns = try inputs.enumerated().map { index, input -> Column in
            let numbers = (0..<rowCount).map { values[$0 * inputs.count + index] }
            guard input.categorical else { return Column(name: input.name, values: .numeric(numbers)) }
            let known = categories(ofInput: index)
            let labels = try numbers.enumerated().map { row, number -> String in
                if number.isNaN && imputed.contains(index) { return "" }  // missing: the impute step fills it
                if known.isEmpty { return OneHotTransform.label(for: number) }
                guard let match = known.first(where: { $0.code == number }) else {
                    if ignoresUnknown(ofInput: index) { return "\u{1}unknown \(OneHotTransform.label(for: number))" }
                    throw BackpropError(.data, "row \(row + 1), input '\(input.name)': unknown category \(OneHotTransform.label(for: number)) (known: \(known.map { "\($0.label)=\(OneHotTransform.label(for: $0.code))" }.joined(separator: ", ")))")
                }
                return match.label
            }
            return Column(name: input.name, values: .categorical(CategoricalValues(labels)))
        }
        return Dataset(
            source: "raw rows", features: columns,
            target: Column(name: target, values: .numeric(Array(repeating: 0, count: rowCount))),
            rowIDs: Array(0..<rowCount))
    }

    /// The model's input columns of a CSV table (other columns are ignored), as raw rows.
    /// - Throws: `.data` naming the file, line and column of a missing column, an empty field or
    ///   a numeric field that is not a finite number.
    public func rawDataset(table: CSVTable, source: String) throws -> Dataset {
        let imputed = imputedInputs
        let columns = try inputs.enumerated().map { position, input -> Column in
            guard let index = table.header.firstIndex(of: input.name) else {
                throw BackpropError(.data, "\(source): no column '\(input.name)'; the model's inputs are \(inputs.map(\.name).joined(separator: ", ")) and the header has \(table.header.joined(separator: ", "))")
            }
            let fields = try table.rows.enumerated().map { row, fields -> String in
                if imputed.contains(position) && (missingMarkers ?? .standard).isMissing(fields[index]) { return "" }  // the impute step fills it
                guard let text = fields[index].map({ String($0.trimmingSpaces) }), !text.isEmpty else {
                    throw BackpropError(.data, "\(source): line \(table.lines[row]), column '\(input.name)': missing value (pipeline predict --missing skip leaves such rows out)")
                }
                return text
            }
            if input.categorical { return Column(name: input.name, values: .categorical(CategoricalValues(fields))) }
            return Column(name: input.name, values: .numeric(try fields.enumerated().map { row, text in
                if text.isEmpty { return .nan }  // missing, imputed
                guard let number = Double(text), number.isFinite else {
                    throw BackpropError(.data, "\(source): line \(table.lines[row]), column '\(input.name)': expected a number, got \"\(text)\"")
                }
                return number
            }))
        }
        return Dataset(
            source: source, features: columns,
            target: Column(name: target, values: .numeric(Array(repeating: 0, count: table.rows.count))),
            rowIDs: Array(0..<table.rows.count))
    }
}
