using System.Globalization;
using System.Net;
using System.Text;

namespace Fraud.Model.Drift;

/// <summary>
/// Renders a <see cref="DriftReport"/> as one self-contained HTML page: a summary, a table of every feature and
/// inline SVG bar charts (reference vs current share per bin) for the score and the most drifted features.
/// No scripts or external assets, so the file opens anywhere, including from blob storage.
/// </summary>
public static class DriftReportHtml
{
    private const int ChartedFeatures = 8;
    private const int BarWidth = 14;
    private const int Gap = 6;
    private const int PlotHeight = 120;
    private const int Top = 34;
    private const int Bottom = 16;

    public static string Render(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift report</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}")
            .Append(".alert{color:#b00020;font-weight:bold}.warn{color:#b26a00}.ok{color:#2e7d32}figure{display:inline-block;margin:0 1em 1em 0}")
            .Append("</style></head><body>");
        html.Append("<h1>Drift report</h1><p>").Append(Encode(report.Source)).Append(" · model ").Append(Encode(report.ModelVersion ?? "?"))
            .Append(" · ").Append(Encode(report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</p>");
        html.Append(Invariant($"<p style=\"font-size:1.3em\">Verdict: <span class=\"{report.Verdict}\">{report.Verdict.ToUpperInvariant()}</span> · ")).Append(Encode(report.Reason)).Append("</p>");
        html.Append("<ul>");
        if (report.Classifier is { Skipped: null } classifier)
        {
            html.Append(Invariant($"<li>Classifier two-sample test: held-out AUC <span class=\"{classifier.Status}\">{classifier.Auc:F3}</span> (warn from {classifier.WarnAuc:F3}, alert from {classifier.AlertAuc:F3}; σ {classifier.NullStd:F4} from {classifier.Permutations} label permutations; {classifier.ReferenceRows} reference vs {classifier.CurrentRows} current rows)</li>"));
        }

        html.Append(Invariant($"<li>Input signals: {(report.InputShareDrift ? "most" : "not most")} drifted ({DriftedText(report)}, {report.DriftedShare:P0}; threshold {report.DatasetDriftShare:P0})</li>"));
        if (report.DriftedImportanceShare is { } importanceShare)
        {
            html.Append(Invariant($"<li>Model importance carried by drifted features: {importanceShare:P0} (plain share of features: {report.DriftedFeatureShare:P0})</li>"));
        }

        html
            .Append(Invariant($"<li>Score PSI: <span class=\"{report.ScoreStatus}\">{report.ScorePsi:F4} ({report.ScoreStatus})</span></li>"))
            .Append(Invariant($"<li>Mean predicted fraud probability: {Fraud.Baskets.Percent.Format(report.ObservedFraudRate)} now vs {Fraud.Baskets.Percent.Format(report.ExpectedFraudRate)} on the reference"));
        if (report.LabelledFraudRate is { } labelled)
        {
            html.Append(Invariant($"; observed fraud rate {Fraud.Baskets.Percent.Format(labelled)} among {report.LabelledRows} labelled baskets"));
        }

        html.Append(Invariant($"</li><li>Baskets: {report.CurrentRows} current, {report.ReferenceRows} reference</li></ul>"));
        foreach (var warning in report.Warnings)
        {
            html.Append("<p class=\"warn\">").Append(Encode(warning)).Append("</p>");
        }

        if (report.Classifier is { Skipped: null, TopFeatures.Count: > 0 } c2)
        {
            html.Append("<h2>What told the window apart</h2><table><tr><th>feature</th><th>share of classifier |SHAP|</th><th>reference mean</th><th>current mean</th></tr>");
            foreach (var f in c2.TopFeatures)
            {
                html.Append("<tr><td>").Append(Encode(f.Name)).Append(Invariant($"</td><td>{f.Share:P0}</td><td>{f.ReferenceMean:G4}</td><td>{f.CurrentMean:G4}</td></tr>"));
            }

            html.Append("</table>");
        }

        html.Append("<h2>Distributions</h2>")
            .Append("<p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"330\" height=\"18\" role=\"img\" aria-label=\"legend\">")
            .Append("<rect x=\"0\" y=\"3\" width=\"12\" height=\"12\" fill=\"#9e9e9e\"/><text x=\"16\" y=\"14\" font-size=\"12\">reference (training, out-of-bag)</text>")
            .Append("<rect x=\"200\" y=\"3\" width=\"12\" height=\"12\" fill=\"#1e63c6\"/><text x=\"216\" y=\"14\" font-size=\"12\">current window</text></svg>")
            .Append(" Bars are the share of rows per bin; hover a bar for its bin.</p>");
        AppendChart(html, report.Score);
        foreach (var feature in report.Inputs.Take(ChartedFeatures))
        {
            AppendChart(html, feature);
        }

        // The model features the classifier relied on, then (old cards) the most drifted ones.
        var named = report.Classifier?.TopFeatures.Select(f => f.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var feature in report.Features.Where(f => named.Contains(f.Name)))
        {
            AppendChart(html, feature);
        }

        if (report.Inputs.Count == 0)
        {
            foreach (var feature in report.Features.Where(f => !named.Contains(f.Name)).Take(ChartedFeatures))
            {
                AppendChart(html, feature);
            }
        }

        AppendTable(html, "Input signals", report.Inputs);
        AppendTable(html, "Model features", report.Features);
        html.Append("</body></html>");
        return html.ToString();
    }

    /// <summary>"3 of 12 input signals drifted; 5 of 155 model features" (or features only for an old card).</summary>
    public static string DriftedText(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.InputCount > 0
            ? Invariant($"{report.DriftedInputs} of {report.InputCount} input signals drifted; {report.DriftedFeatures} of {report.FeatureCount} model features")
            : Invariant($"{report.DriftedFeatures} of {report.FeatureCount} features drifted");
    }

    private static void AppendTable(StringBuilder html, string title, List<FeatureDrift> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        html.Append("<h2>").Append(title).Append("</h2><table><tr><th>name</th><th>kind</th><th>PSI</th><th>KS</th><th>KS p</th><th>status</th></tr>");
        foreach (var f in rows)
        {
            html.Append("<tr><td>").Append(Encode(f.Name)).Append("</td><td>").Append(f.Kind)
                .Append(Invariant($"</td><td>{f.Psi:F4}</td><td>{(f.Ks is { } ks ? ks.ToString("F3", CultureInfo.InvariantCulture) : "")}</td><td>{(f.KsPValue is { } p ? p.ToString("G3", CultureInfo.InvariantCulture) : "")}</td>"))
                .Append("<td class=\"").Append(f.Status).Append("\">").Append(f.Status).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void AppendChart(StringBuilder html, FeatureDrift feature)
    {
        var bins = feature.Bins.Length;
        var width = Math.Max(160, (bins * ((2 * BarWidth) + Gap)) + 20);
        var max = 1e-9;
        for (var i = 0; i < bins; i++)
        {
            max = Math.Max(max, Math.Max(At(feature.Reference, i), At(feature.Current, i)));
        }

        html.Append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"")
            .Append(Invariant($" width=\"{width}\" height=\"{PlotHeight + Top + Bottom}\" viewBox=\"0 0 {width} {PlotHeight + Top + Bottom}\">"))
            .Append("<title>").Append(Encode(feature.Name)).Append(": reference (grey) vs current (blue)</title>")
            .Append(Invariant($"<text x=\"4\" y=\"14\" font-size=\"12\">{Encode(feature.Name)} · PSI {feature.Psi:F3}</text>"))
            // Each chart carries its own key: scrolled to the twentieth chart, the legend above the first is out of sight.
            .Append(Invariant($"<g font-size=\"10\" aria-label=\"legend\"><rect x=\"4\" y=\"20\" width=\"9\" height=\"9\" fill=\"#9e9e9e\"/><text x=\"16\" y=\"28\">reference</text>"))
            .Append(Invariant($"<rect x=\"70\" y=\"20\" width=\"9\" height=\"9\" fill=\"#1e63c6\"/><text x=\"82\" y=\"28\">current</text></g>"));
        for (var i = 0; i < bins; i++)
        {
            var x = 10 + (i * ((2 * BarWidth) + Gap));
            AppendBar(html, x, At(feature.Reference, i) / max, "#9e9e9e", feature.Bins[i]);
            AppendBar(html, x + BarWidth, At(feature.Current, i) / max, "#1e63c6", feature.Bins[i]);
        }

        html.Append(Invariant($"<line x1=\"6\" y1=\"{Top + PlotHeight}\" x2=\"{width - 4}\" y2=\"{Top + PlotHeight}\" stroke=\"#444\"/>"))
            .Append("</svg><figcaption class=\"").Append(feature.Status).Append("\">").Append(Encode(feature.Kind)).Append(", ").Append(feature.Status)
            .Append("</figcaption></figure>");
    }

    private static void AppendBar(StringBuilder html, int x, double relative, string colour, string label)
    {
        var h = relative * PlotHeight;
        html.Append(Invariant($"<rect x=\"{x}\" y=\"{Top + PlotHeight - h:F1}\" width=\"{BarWidth - 1}\" height=\"{h:F1}\" fill=\"{colour}\">"))
            .Append("<title>").Append(Encode(label)).Append("</title></rect>");
    }

    private static double At(double[] values, int i) => i < values.Length ? values[i] : 0;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
