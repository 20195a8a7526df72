/// A model's fitted preprocessing compiled into one recipe per network input, so that a raw
/// row becomes features with a few multiplications and comparisons, without a `Dataset`.
///
/// Only the built-in transforms (standardize, min-max, one-hot, and impute of a raw numeric
/// column) compile; a model with any other transform (a plugin's, an impute of a categorical or
/// rescaled column) has no plan, and its rows go through `TrainedModel.predict(raw:)`.
/// The recipes and codes live in buffers the plan owns (no reference counting in the hot
/// loop); immutable after `init`, hence Sendable.
final class RawRowPlan: @unchecked Sendable {
    /// How one feature comes from the raw row.
    struct Recipe: Sendable {
        /// The raw column it reads.
        var column: Int
        /// For a one-hot feature: the raw value that makes it 1 (else 0); nil for a numeric feature.
        var match: Double?
        /// The feature is `(v − shift) / divisor`, with v the raw value or the 0/1 indicator:
        /// the transforms' own formula, so that a single step rounds exactly as they do.
        var shift: Double
        var divisor: Double
        /// What a missing raw value (NaN) becomes before the rescaling: an imputed column's fill;
        /// NaN when the column is not imputed.
        var fill: Double = .nan
        /// For an impute step's indicator: the feature is 1 when the raw value is missing, else 0.
        var isMissingIndicator = false

        /// This recipe followed by `(· − shift) / divisor`.
        func then(shift s: Double, divisor d: Double) -> Recipe {
            Recipe(column: column, match: match, shift: shift + s * divisor, divisor: divisor * d,
                   fill: fill, isMissingIndicator: isMissingIndicator)
        }

        /// Whether the recipe reads the raw value as it is (no one-hot, fill or rescaling yet).
        var isPlainValue: Bool { match == nil && shift == 0 && divisor == 1 && fill.isNaN && !isMissingIndicator }
    }

    /// A raw column a one-hot reads, with where its allowed values are in `codes`.
    struct CategoryCheck: Sendable {
        var column: Int
        var first: Int
        var count: Int
    }

    /// A recipe as the hot loop reads it: the one-hot test and the rescaling as flags, so that a
    /// feature that is not rescaled (a plain one-hot indicator) costs no division.
    struct Step: Sendable {
        var column: Int
        var isOneHot: Bool
        /// Whether the raw value is read through `fill` or as a missing indicator (imputed column).
        var isImputed: Bool
        var isMissingIndicator: Bool
        var fill: Double
        /// Whether `(v − shift) / divisor` changes v (else it is skipped: the identity exactly).
        var isScaled: Bool
        var match: Double
        var shift: Double
        var divisor: Double

        init(_ recipe: Recipe) {
            column = recipe.column
            isOneHot = recipe.match != nil
            isImputed = !recipe.fill.isNaN || recipe.isMissingIndicator
            isMissingIndicator = recipe.isMissingIndicator
            fill = recipe.fill
            isScaled = !(recipe.shift == 0 && recipe.divisor == 1)
            match = recipe.match ?? 0
            shift = recipe.shift
            divisor = recipe.divisor
        }
    }

    private let recipes: UnsafeMutableBufferPointer<Step>
    private let checks: UnsafeMutableBufferPointer<CategoryCheck>
    /// The allowed values of every checked column, one run per check.
    private let codes: UnsafeMutableBufferPointer<Double>

    /// What a column of the data holds while the preprocessing is traced.
    private enum Traced {
        case feature(Recipe)
        /// A raw categorical column not yet encoded.
        case category(column: Int)
    }

    /// Traces `model`'s preprocessing; nil when a step is not a built-in transform or the result
    /// does not line up with the model's features.
    init?(model: TrainedModel) {
        var names = model.inputs.map(\.name)
        var traced: [Traced] = model.inputs.enumerated().map { index, input in
            input.categorical ? .category(column: index) : .feature(Recipe(column: index, match: nil, shift: 0, divisor: 1))
        }
        var checks = [CategoryCheck]()
        var allCodes = [Double]()
        func rescale(_ column: String, shift: Double, divisor: Double) -> Bool {
            guard let index = names.firstIndex(of: column), case .feature(let recipe) = traced[index] else { return false }
            traced[index] = .feature(recipe.then(shift: shift, divisor: divisor))
            return true
        }
        for step in model.preprocessing {
            switch step {
            case let t as StandardizeTransform:
                guard rescale(t.column, shift: t.mean, divisor: t.standardDeviation) else { return nil }
            case let t as MinMaxTransform:
                guard rescale(t.column, shift: t.minimum, divisor: t.range) else { return nil }
            case let t as ImputeTransform:
                guard let index = names.firstIndex(of: t.column), case .feature(let recipe) = traced[index],
                      recipe.isPlainValue, case .number(let value) = t.fill else { return nil }
                var filled = recipe
                filled.fill = value
                traced[index] = .feature(filled)
                if t.indicator {
                    var indicator = recipe
                    indicator.isMissingIndicator = true
                    names.insert(t.indicatorName, at: index + 1)
                    traced.insert(.feature(indicator), at: index + 1)
                }
            case let t as OneHotTransform:
                guard let index = names.firstIndex(of: t.column) else { return nil }
                let column: Int
                switch traced[index] {
                case .category(let raw): column = raw
                case .feature(let r) where r.isPlainValue: column = r.column
                default: return nil
                }
                let codes = model.inputs[column].categorical
                    ? TrainedModel.categoryCodes(t.categories)
                    : t.categories.map { Double($0) ?? .nan }  // a numeric column's labels are its numbers
                if !t.ignoresUnknown {  // an ignored unknown value matches no recipe: all zeros
                    checks.append(CategoryCheck(column: column, first: allCodes.count, count: codes.count))
                    allCodes += codes
                }
                names.replaceSubrange(index...index, with: t.outputNames)
                traced.replaceSubrange(index...index, with: codes.map {
                    .feature(Recipe(column: column, match: $0, shift: 0, divisor: 1))
                })
            default:
                return nil
            }
        }
        guard names == model.features else { return nil }
        var recipes = [Recipe]()
        for item in traced {
            guard case .feature(let recipe) = item else { return nil }
            recipes.append(recipe)
        }
        self.recipes = .allocate(capacity: max(recipes.count, 1))
        _ = self.recipes.initialize(from: recipes.map(Step.init))
        self.checks = .allocate(capacity: max(checks.count, 1))
        _ = self.checks.initialize(from: checks)
        self.codes = .allocate(capacity: max(allCodes.count, 1))
        _ = self.codes.initialize(from: allCodes)
        recipeCount = recipes.count
        checkCount = checks.count
    }

    private let recipeCount: Int
    private let checkCount: Int

    deinit {
        recipes.deallocate()
        checks.deallocate()
        codes.deallocate()
    }

    /// The first column of `row` holding a value no one-hot knows, or nil.
    @inline(__always)
    func unknownCategory(in row: UnsafePointer<Double>) -> Int? {
        let checks = self.checks.baseAddress!, codes = self.codes.baseAddress!
        outer: for c in 0..<checkCount {
            let check = checks[c], value = row[check.column]
            for k in check.first..<(check.first + check.count) where codes[k] == value { continue outer }
            return check.column
        }
        return nil
    }

    /// Writes the features of a checked raw row.
    @inline(__always)
    func features(of row: UnsafePointer<Double>, into features: UnsafeMutablePointer<Double>) {
        let recipes = self.recipes.baseAddress!
        for index in 0..<recipeCount {
            let recipe = recipes[index]
            var value = row[recipe.column]
            if recipe.isImputed {  // a missing (NaN) value: the fill, or 1 for its indicator
                value = recipe.isMissingIndicator ? (value.isNaN ? 1 : 0) : (value.isNaN ? recipe.fill : value)
            }
            let v = recipe.isOneHot ? (value == recipe.match ? 1.0 : 0.0) : value
            features[index] = recipe.isScaled ? (v - recipe.shift) / recipe.divisor : v
        }
    }
}
