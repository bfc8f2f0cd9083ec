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
    private const int Top = 20;
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
        html.Append("<ul>")
            .Append(Invariant($"<li>Status: <span class=\"{report.Status}\">{report.Status}</span></li>"))
            .Append(Invariant($"<li>Dataset drift: <span class=\"{(report.DatasetDrift ? "alert" : "ok")}\">{(report.DatasetDrift ? "yes" : "no")}</span> ({DriftedText(report)}, {report.DriftedShare:P0}; threshold {report.DatasetDriftShare:P0})</li>"))
            .Append(Invariant($"<li>Score PSI: <span class=\"{report.ScoreStatus}\">{report.ScorePsi:F4} ({report.ScoreStatus})</span></li>"))
            .Append(Invariant($"<li>Mean predicted fraud probability: {report.ObservedFraudRate:P2} now vs {report.ExpectedFraudRate:P2} on the reference"));
        if (report.LabelledFraudRate is { } labelled)
        {
            html.Append(Invariant($"; observed fraud rate {labelled:P2} among {report.LabelledRows} labelled baskets"));
        }

        html.Append(Invariant($"</li><li>Baskets: {report.CurrentRows} current, {report.ReferenceRows} reference</li></ul>"));
        foreach (var warning in report.Warnings)
        {
            html.Append("<p class=\"warn\">").Append(Encode(warning)).Append("</p>");
        }

        html.Append("<h2>Distributions</h2>");
        AppendChart(html, report.Score);
        foreach (var feature in report.Inputs.Take(ChartedFeatures))
        {
            AppendChart(html, feature);
        }

        if (report.Inputs.Count == 0)
        {
            foreach (var feature in report.Features.Take(ChartedFeatures))
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
            .Append(Invariant($"<text x=\"4\" y=\"14\" font-size=\"12\">{Encode(feature.Name)} · PSI {feature.Psi:F3}</text>"));
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
