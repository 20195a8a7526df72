import FoundationEssentials
import Glibc

/// A line chart drawn as plain SVG: axes with ticks, one polyline per series, a legend.
/// Written by hand so that the report step needs no plotting tool.
struct SVGChart {
    /// One line of the chart.
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Plot y on a log₁₀ scale (for gradient norms spanning orders of magnitude).
    var logY = false
    /// Fixed ranges (the ROC's unit square); nil to fit the data.
    var xRange: ClosedRange<Double>?
    var yRange: ClosedRange<Double>?
    /// A note drawn in the plot area when there is nothing to plot.
    var emptyNote = "no data"

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The chart as an SVG group placed at (`x`, `y`), `width` × `height` pixels.
    func render(x originX: Double, y originY: Double, width: Double, height: Double) -> String {
        let (left, right, top, bottom) = (62.0, 118.0, 30.0, 44.0)  // the legend sits in the right margin
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var out = "<g transform=\"translate(\(f(originX)),\(f(originY)))\">\n"
        out += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>\n"
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"white\" stroke=\"#888\"/>\n"
        out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\" font-size=\"12\">\(escape(xLabel))</text>\n"
        out += "<text transform=\"translate(14,\(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(escape(yLabel))</text>\n"

        let transformY: (Double) -> Double = logY ? { log10($0) } : { $0 }
        let usable = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) } }
        let xs = usable.flatMap { $0.map(\.x) }, ys = usable.flatMap { $0.map { transformY($0.y) } }
        guard !xs.isEmpty else {
            out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#666\">\(escape(emptyNote))</text>\n</g>\n"
            return out
        }
        var xr = xRange ?? (xs.min()!...xs.max()!)
        var yr = yRange.map { transformY($0.lowerBound)...transformY($0.upperBound) } ?? (ys.min()!...ys.max()!)
        if xr.upperBound == xr.lowerBound { xr = (xr.lowerBound - 1)...(xr.upperBound + 1) }
        if yr.upperBound == yr.lowerBound { yr = (yr.lowerBound - 1)...(yr.upperBound + 1) }
        if yRange == nil {
            let pad = (yr.upperBound - yr.lowerBound) * 0.05
            // Non-negative data (losses) keeps a floor at 0 rather than a padded negative tick.
            let floor = !logY && ys.min()! >= 0 ? max(0, yr.lowerBound - pad) : yr.lowerBound - pad
            yr = floor...(yr.upperBound + pad)
        }
        func px(_ v: Double) -> Double { left + (v - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotWidth }
        func py(_ v: Double) -> Double { top + plotHeight - (v - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotHeight }

        // Ticks: five on x; on y five, or one per power of ten on a log scale.
        for i in 0...4 {
            let v = xr.lowerBound + Double(i) / 4 * (xr.upperBound - xr.lowerBound)
            out += "<line x1=\"\(f(px(v)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(px(v)))\" y2=\"\(f(top + plotHeight + 4))\" stroke=\"#888\"/>"
            out += "<text x=\"\(f(px(v)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"10\">\(tick(v))</text>\n"
        }
        let yTicks: [Double] = logY
            ? Array(stride(from: ceil(yr.lowerBound), through: floor(yr.upperBound), by: max(1, floor((yr.upperBound - yr.lowerBound) / 6))))
            : (0...4).map { yr.lowerBound + Double($0) / 4 * (yr.upperBound - yr.lowerBound) }
        for v in yTicks {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(v)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(v)))\" stroke=\"#eee\"/>"
            let label = logY ? "1e\(Int(v))" : tick(v)
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(py(v) + 3))\" text-anchor=\"end\" font-size=\"10\">\(label)</text>\n"
        }

        for (index, s) in series.enumerated() where !usable[index].isEmpty {
            let path = usable[index].map { "\(f(px($0.x))),\(f(py(transformY($0.y))))" }.joined(separator: " ")
            let dash = s.dashed ? " stroke-dasharray=\"5,4\"" : ""
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>\n"
            for point in usable[index] where usable[index].count <= 40 {
                out += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(transformY(point.y))))\" r=\"2.5\" fill=\"\(s.color)\"/>"
            }
            // Legend, right of the plot.
            let ly = top + 10 + Double(index) * 15
            out += "\n<line x1=\"\(f(left + plotWidth + 6))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotWidth + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(dash)/>"
            out += "<text x=\"\(f(left + plotWidth + 28))\" y=\"\(f(ly))\" font-size=\"11\">\(escape(s.name))</text>\n"
        }
        return out + "</g>\n"
    }

    private func f(_ v: Double) -> String { cFormat("%.1f", v) }

    private func tick(_ v: Double) -> String {
        let magnitude = abs(v)
        if magnitude == 0 { return "0" }
        if magnitude >= 1000 || magnitude < 0.01 { return cFormat("%.1e", v) }
        return cFormat(magnitude >= 10 ? "%.0f" : "%.3g", v)
    }
}

/// Escapes text for SVG.
func escape(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        default: escaped.append(character)
        }
    }
    return escaped
}
