import BackpropNumerics

/// The report picture: training and validation loss, per-layer gradient norms, and the ROC
/// curve of the test rows, side by side in one SVG document.
public enum SVGReport {
    /// The SVG text.
    /// - Parameters:
    ///   - title: shown above the charts.
    ///   - history: the training run's records (losses, validation losses, gradient norms).
    ///   - evaluation: the binary metrics, for the ROC curve; nil for several classes.
    public static func render(title: String, history: TrainingHistory?, evaluation: Evaluation?) -> String {
        let records = history?.records ?? []
        let epoch = { (r: EpochRecord) in Double(r.epoch + 1) }
        var lossSeries = [SVGChart.Series(name: "training", color: SVGChart.palette[0], points: records.map { (epoch($0), $0.loss) })]
        if records.contains(where: { $0.validationLoss != nil }) {
            lossSeries.append(SVGChart.Series(
                name: "validation", color: SVGChart.palette[1],
                points: records.compactMap { r in r.validationLoss.map { (epoch(r), $0) } }, dashed: true))
        }
        let layerCount = records.first?.gradientNorms.count ?? 0
        let normSeries = (0..<layerCount).map { layer in
            SVGChart.Series(
                name: layer == layerCount - 1 ? "layer \(layer + 1) (output)" : layer == 0 ? "layer 1 (input)" : "layer \(layer + 1)",
                color: SVGChart.palette[layer % SVGChart.palette.count],
                points: records.map { (epoch($0), $0.gradientNorms[layer]) })
        }
        var rocSeries = [SVGChart.Series]()
        var rocTitle = "ROC curve (test rows)"
        if let evaluation, !evaluation.roc.points.isEmpty {
            rocSeries = [
                SVGChart.Series(name: "chance", color: "#999", points: [(0, 0), (1, 1)], dashed: true),
                SVGChart.Series(name: "model", color: SVGChart.palette[2], points: evaluation.roc.points.map { ($0.falsePositiveRate, $0.truePositiveRate) }),
            ]
            if let area = evaluation.roc.area { rocTitle += " — AUC " + cFormat("%.3f", area) }
        }
        let charts = [
            SVGChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: lossSeries),
            SVGChart(title: "Gradient norm ‖∂E/∂W‖ per layer", xLabel: "epoch", yLabel: "norm (log scale)", series: normSeries, logY: true,
                     emptyNote: "no gradient norms recorded"),
            SVGChart(title: rocTitle, xLabel: "false-positive rate", yLabel: "true-positive rate", series: rocSeries,
                     xRange: 0...1, yRange: 0...1, emptyNote: evaluation == nil ? "ROC: binary targets only" : "ROC: one class only"),
        ]
        let (width, height) = (480.0, 340.0)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width) * charts.count)" height="\(Int(height) + 30)" \
            font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="#fafafa"/>
            <text x="10" y="22" font-size="16" font-weight="bold">\(escape(title))</text>

            """
        for (index, chart) in charts.enumerated() {
            svg += chart.render(x: Double(index) * width, y: 30, width: width, height: height)
        }
        return svg + "</svg>\n"
    }
}
