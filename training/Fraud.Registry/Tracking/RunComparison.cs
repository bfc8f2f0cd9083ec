using System.Globalization;
using System.Net;
using System.Text;

namespace Fraud.Registry;

/// <summary>One metric of two runs side by side.</summary>
public sealed record MetricComparison(string Name, double? A, double? B)
{
    public double? Delta => A is { } a && B is { } b ? b - a : null;
}

/// <summary>Compares two runs: metrics and parameters side by side, and an HTML report with both PR curves in one chart.</summary>
public static class RunComparison
{
    private const int Width = 520;
    private const int Height = 360;
    private const int Margin = 48;

    public static IReadOnlyList<MetricComparison> Metrics(RunRecord a, RunRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Metrics.Keys.Union(b.Metrics.Keys).Order(StringComparer.Ordinal)
            .Select(name => new MetricComparison(name, Get(a.Metrics, name), Get(b.Metrics, name)))
            .ToList();
    }

    /// <summary>Parameters whose values differ (or exist in one run only).</summary>
    public static IReadOnlyList<(string Name, string? A, string? B)> ParameterDifferences(RunRecord a, RunRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Parameters.Keys.Union(b.Parameters.Keys).Order(StringComparer.Ordinal)
            .Select(name => (name, a.Parameters.GetValueOrDefault(name), b.Parameters.GetValueOrDefault(name)))
            .Where(p => p.Item2 != p.Item3)
            .ToList();
    }

    /// <summary>A self-contained HTML page (inline SVG, no scripts or external assets).</summary>
    public static string ToHtml(RunRecord a, RunRecord b, PrCurve? curveA, PrCurve? curveB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Runs ")
            .Append(E(a.Id)).Append(" vs ").Append(E(b.Id))
            .Append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;max-width:100%}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;overflow-wrap:anywhere}td:first-child,th:first-child{text-align:left}.a{color:#1f77b4}.b{color:#d62728}</style></head><body>")
            .Append("<h1>Run comparison</h1><p><span class=\"a\">A: ").Append(E(a.Id)).Append(" (").Append(E(a.Kind)).Append(", ").Append(E(a.Status))
            .Append(")</span><br><span class=\"b\">B: ").Append(E(b.Id)).Append(" (").Append(E(b.Kind)).Append(", ").Append(E(b.Status)).Append(")</span></p>");

        html.Append("<h2>Precision-recall on held-out baskets</h2>");
        if (curveA is null && curveB is null)
        {
            html.Append("<p>Neither run saved a PR curve.</p>");
        }
        else
        {
            AppendChart(html, "recall", "precision", [(curveA?.Points.Select(p => (p.Recall, p.Precision)).ToList(), "#1f77b4", "A"), (curveB?.Points.Select(p => (p.Recall, p.Precision)).ToList(), "#d62728", "B")], 0, 1);
            if (curveA is null || curveB is null)
            {
                html.Append("<p>Only run ").Append(curveA is null ? "B" : "A").Append(" saved a PR curve.</p>");
            }
        }

        var curveName = "round_valid_pr_auc";
        if (a.MetricHistory.ContainsKey(curveName) || b.MetricHistory.ContainsKey(curveName))
        {
            html.Append("<h2>Validation PR-AUC by boosting round</h2>");
            var la = a.MetricHistory.GetValueOrDefault(curveName)?.Select(p => ((double)p.Step, p.Value)).ToList();
            var lb = b.MetricHistory.GetValueOrDefault(curveName)?.Select(p => ((double)p.Step, p.Value)).ToList();
            var maxStep = Math.Max(la?.LastOrDefault().Item1 ?? 1, lb?.LastOrDefault().Item1 ?? 1);
            AppendChart(html, "round", "PR-AUC", [(la, "#1f77b4", "A"), (lb, "#d62728", "B")], 0, maxStep);
        }

        html.Append("<h2>Metrics</h2><table><tr><th>metric</th><th class=\"a\">A</th><th class=\"b\">B</th><th>B − A</th></tr>");
        foreach (var m in Metrics(a, b))
        {
            html.Append("<tr><td>").Append(E(m.Name)).Append("</td><td>").Append(F(m.A)).Append("</td><td>").Append(F(m.B)).Append("</td><td>").Append(F(m.Delta)).Append("</td></tr>");
        }

        html.Append("</table><h2>Parameters that differ</h2><table><tr><th>parameter</th><th class=\"a\">A</th><th class=\"b\">B</th></tr>");
        foreach (var (name, va, vb) in ParameterDifferences(a, b))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(va ?? "–")).Append("</td><td>").Append(E(vb ?? "–")).Append("</td></tr>");
        }

        html.Append("</table><h2>Data</h2><table><tr><th></th><th class=\"a\">A</th><th class=\"b\">B</th></tr>")
            .Append("<tr><td>fingerprint</td><td>").Append(E(a.Dataset?.Fingerprint ?? "–")).Append("</td><td>").Append(E(b.Dataset?.Fingerprint ?? "–")).Append("</td></tr>")
            .Append("<tr><td>rows</td><td>").Append(a.Dataset?.Rows.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td><td>").Append(b.Dataset?.Rows.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td></tr>")
            .Append("</table></body></html>");
        return html.ToString();
    }

    /// <summary>Formats a metric value invariantly (4 significant decimals), "–" when missing.</summary>
    public static string F(double? value) => value switch
    {
        null => "–",
        { } v when double.IsNaN(v) => "NaN",
        { } v => v.ToString(Math.Abs(v) >= 1000 ? "0" : "0.####", CultureInfo.InvariantCulture),
    };

    private static void AppendChart(StringBuilder html, string xLabel, string yLabel, (List<(double X, double Y)>? Points, string Color, string Name)[] series, double xMin, double xMax)
    {
        double X(double x) => Margin + ((x - xMin) / Math.Max(xMax - xMin, 1e-9) * (Width - (2 * Margin)));
        static double Y(double y) => Height - Margin - (Math.Clamp(y, 0, 1) * (Height - (2 * Margin)));
        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{E(yLabel)} against {E(xLabel)}\">");
        html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Width - (2 * Margin)}\" height=\"{Height - (2 * Margin)}\" fill=\"none\" stroke=\"#999\"/>");
        for (var t = 0; t <= 4; t++)
        {
            var v = t / 4.0;
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin - 6}\" y=\"{Y(v) + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{v:0.##}</text>");
            var xv = xMin + (v * (xMax - xMin));
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(xv):0.#}\" y=\"{Height - Margin + 16}\" font-size=\"11\" text-anchor=\"middle\">{xv:0.##}</text>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 8}\" font-size=\"12\" text-anchor=\"middle\">{E(xLabel)}</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{Height / 2}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Height / 2})\">{E(yLabel)}</text>");
        var legendY = Margin + 16;
        foreach (var (points, color, name) in series)
        {
            if (points is null || points.Count == 0)
            {
                continue;
            }

            html.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(color).Append("\" points=\"");
            foreach (var (x, y) in points)
            {
                html.Append(CultureInfo.InvariantCulture, $"{X(x):0.##},{Y(y):0.##} ");
            }

            html.Append("\"/>");
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Margin - 8}\" y=\"{legendY}\" font-size=\"12\" text-anchor=\"end\" fill=\"{color}\">{name}</text>");
            legendY += 16;
        }

        html.Append("</svg>");
    }

    private static double? Get(SortedDictionary<string, double> metrics, string name) => metrics.TryGetValue(name, out var v) ? v : null;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
