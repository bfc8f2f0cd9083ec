using System.Text;
using Fraud.Learning;

namespace Fraud.Model.Reports;

/// <summary>The training report: metrics against the baseline, thresholds, and PR, calibration, learning-curve and importance charts.</summary>
internal static class TrainingReport
{
    private const int CalibrationBins = 10;
    private const int TopItems = 20;

    public static string Build(ModelCard card, double[] probabilities, bool[] labels, double[] baselineProbabilities, IReadOnlyList<BoostingRound> curve)
    {
        var s = new StringBuilder(64 * 1024);
        s.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fraud model ")
            .Append(Svg.Encode(card.ModelId)).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
            .Append(".charts{display:flex;flex-wrap:wrap;gap:2em}code{font-size:90%}</style></head><body>");
        s.Append("<h1>Fraud model <code>").Append(Svg.Encode(card.ModelId)).Append("</code></h1>")
            .Append("<p>Trained ").Append(Svg.Encode(card.TrainedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)))
            .Append(" on ").Append(card.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)).Append(" baskets (fraud rate ")
            .Append(Fraud.Baskets.Percent.Format(card.FraudRate)).Append("), ").Append(card.TreeCount).Append(" trees over ").Append(card.FeatureCount)
            .Append(" features, ").Append(Svg.Encode(card.Calibration)).Append(" calibration, in ").Append(Svg.F(card.TrainingSeconds, "0.0")).Append(" s. ")
            .Append("Data fingerprint <code>").Append(Svg.Encode(card.DataFingerprint)).Append("</code>.</p>");

        s.Append("<h2>Held-out test metrics (").Append(card.TestRows.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" baskets)</h2>")
            .Append("<table><tr><th>model</th><th>PR-AUC</th><th>ROC-AUC</th><th>log-loss</th><th>Brier</th></tr>");
        Row(s, "gradient-boosted trees", card.Metrics);
        Row(s, "logistic-regression baseline", card.BaselineMetrics);
        s.Append("</table><table><tr><th>decision</th><th>threshold</th><th>precision</th><th>recall</th><th>F1</th><th>flagged</th></tr>");
        foreach (var t in card.Metrics.Thresholds)
        {
            s.Append("<tr><td>").Append(Svg.Encode(t.Name)).Append("</td><td>").Append(Svg.F(t.Threshold)).Append("</td><td>").Append(Svg.F(t.Precision, "0.000"))
                .Append("</td><td>").Append(Svg.F(t.Recall, "0.000")).Append("</td><td>").Append(Svg.F(t.F1, "0.000")).Append("</td><td>")
                .Append(Fraud.Baskets.Percent.Format(t.FlaggedShare)).Append("</td></tr>");
        }

        s.Append("</table>");
        if (card.ThresholdWarnings.Count > 0)
        {
            s.Append("<ul class=\"warnings\">");
            foreach (var warning in card.ThresholdWarnings)
            {
                s.Append("<li>Warning: ").Append(Svg.Encode(warning)).Append("</li>");
            }

            s.Append("</ul>");
        }

        s.Append("<div class=\"charts\"><div><h3>Precision–recall (test)</h3>")
            .Append(Svg.Lines("recall", "precision", 1, 1,
            [
                ("trees", "#3b6ea5", Pr(probabilities, labels), false),
                ("baseline", "#c0504d", Pr(baselineProbabilities, labels), true),
            ]))
            .Append("</div><div><h3>Calibration (test, equal-count bins)</h3>").Append(Calibration(probabilities, labels)).Append("</div>");
        if (curve.Count > 0 && curve[0].ValidPrAuc is not null)
        {
            var points = curve.Select(r => ((double)r.Round, r.ValidPrAuc ?? 0)).ToList();
            s.Append("<div><h3>Validation PR-AUC by round</h3>")
                .Append(Svg.Lines("boosting round", "PR-AUC", curve[^1].Round, Math.Max(0.05, points.Max(p => p.Item2) * 1.1), [("validation", "#3b6ea5", points, false)]))
                .Append("</div>");
        }

        s.Append("</div><h2>What drives the score</h2><p>Mean |SHAP| (log-odds) per readable group on test baskets.</p>")
            .Append(Svg.Bars([.. card.GroupImportance.Take(TopItems).Select(g => (g.Feature, g.MeanAbsShap))], "mean |SHAP| (log-odds)"))
            .Append("<table><tr><th>feature</th><th>mean |SHAP|</th><th>split gain</th></tr>");
        foreach (var f in card.Importance.Take(TopItems))
        {
            s.Append("<tr><td>").Append(Svg.Encode(f.Feature)).Append("</td><td>").Append(Svg.F(f.MeanAbsShap)).Append("</td><td>").Append(Svg.F(f.Gain, "0.0")).Append("</td></tr>");
        }

        s.Append("</table><h2>Parameters</h2><table>");
        foreach (var (key, value) in card.Parameters)
        {
            s.Append("<tr><td>").Append(Svg.Encode(key)).Append("</td><td>").Append(Svg.Encode(value)).Append("</td></tr>");
        }

        return s.Append("</table></body></html>").ToString();
    }

    private static void Row(StringBuilder s, string name, EvaluationMetrics m) =>
        s.Append("<tr><td>").Append(name).Append("</td><td>").Append(Svg.F(m.PrAuc)).Append("</td><td>").Append(Svg.F(m.RocAuc))
            .Append("</td><td>").Append(Svg.F(m.LogLoss)).Append("</td><td>").Append(Svg.F(m.Brier, "0.00000")).Append("</td></tr>");

    private static List<(double X, double Y)> Pr(double[] probabilities, bool[] labels) =>
        [.. Metrics.PrecisionRecallCurve(probabilities, labels, maxPoints: 200).Select(p => (p.Recall, p.Precision))];

    private static string Calibration(double[] probabilities, bool[] labels)
    {
        var order = Enumerable.Range(0, probabilities.Length).OrderBy(i => probabilities[i]).ToArray();
        var points = new List<(double X, double Y)>();
        for (var b = 0; b < CalibrationBins && order.Length > 0; b++)
        {
            var start = (int)((long)b * order.Length / CalibrationBins);
            var end = (int)((long)(b + 1) * order.Length / CalibrationBins);
            if (end <= start)
            {
                continue;
            }

            double predicted = 0, observed = 0;
            for (var k = start; k < end; k++)
            {
                predicted += probabilities[order[k]];
                observed += labels[order[k]] ? 1 : 0;
            }

            points.Add((predicted / (end - start), observed / (end - start)));
        }

        var max = Math.Max(0.01, points.Count == 0 ? 0 : points.Max(p => Math.Max(p.X, p.Y)) * 1.05);
        return Svg.Lines("mean predicted probability", "observed fraud rate", max, max,
        [
            ("perfect", "#999999", [(0.0, 0.0), (max, max)], true),
            ("model", "#3b6ea5", points, false),
        ]);
    }
}
