using System.Globalization;
using System.Net;
using System.Text;

namespace Fraud.Model.Reports;

/// <summary>Small inline-SVG chart helpers: the report must read offline, so no chart library or external asset.</summary>
internal static class Svg
{
    public const int Width = 480;
    public const int Height = 320;
    private const int Left = 50;
    private const int Right = 15;
    private const int Top = 15;
    private const int Bottom = 40;

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    public static string F(double value, string format = "0.####") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Line chart of one or more series over [0, xMax] × [0, yMax], with axis labels and a legend.</summary>
    public static string Lines(string xLabel, string yLabel, double xMax, double yMax, IReadOnlyList<(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed)> series)
    {
        var s = new StringBuilder();
        Frame(s, xLabel, yLabel, xMax, yMax);
        var legendY = Top + 12;
        foreach (var (name, color, points, dashed) in series)
        {
            s.Append("<polyline fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"2\"");
            if (dashed)
            {
                s.Append(" stroke-dasharray=\"5,4\"");
            }

            s.Append(" points=\"");
            foreach (var (x, y) in points)
            {
                s.Append(F(X(x, xMax), "0.#")).Append(',').Append(F(Y(y, yMax), "0.#")).Append(' ');
            }

            s.Append("\"/>");
            s.Append("<text x=\"").Append(Width - Right - 150).Append("\" y=\"").Append(legendY).Append("\" font-size=\"12\" fill=\"").Append(color).Append("\">")
                .Append(Encode(name)).Append("</text>");
            legendY += 16;
        }

        return s.Append("</svg>").ToString();
    }

    /// <summary>Horizontal bar chart, one bar per item, longest first as given.</summary>
    public static string Bars(IReadOnlyList<(string Label, double Value)> items, string valueLabel)
    {
        const int RowHeight = 18;
        const int LabelWidth = 230;
        var height = (items.Count * RowHeight) + 30;
        var max = items.Count == 0 ? 1 : Math.Max(items.Max(i => i.Value), 1e-12);
        var s = new StringBuilder();
        s.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width + 100).Append("\" height=\"").Append(height)
            .Append("\" role=\"img\" font-family=\"sans-serif\">");
        for (var i = 0; i < items.Count; i++)
        {
            var y = 5 + (i * RowHeight);
            var w = (Width - LabelWidth) * items[i].Value / max;
            s.Append("<text x=\"").Append(LabelWidth - 5).Append("\" y=\"").Append(y + 13).Append("\" font-size=\"11\" text-anchor=\"end\">")
                .Append("<title>").Append(Encode(items[i].Label)).Append("</title>").Append(Encode(Shorten(items[i].Label))).Append("</text>")
                .Append("<rect x=\"").Append(LabelWidth).Append("\" y=\"").Append(y + 2).Append("\" width=\"").Append(F(w, "0.#"))
                .Append("\" height=\"").Append(RowHeight - 4).Append("\" fill=\"#3b6ea5\"/>")
                .Append("<text x=\"").Append(F(LabelWidth + w + 4, "0.#")).Append("\" y=\"").Append(y + 13).Append("\" font-size=\"11\">")
                .Append(F(items[i].Value)).Append("</text>");
        }

        s.Append("<text x=\"").Append(LabelWidth).Append("\" y=\"").Append(height - 5).Append("\" font-size=\"11\">").Append(Encode(valueLabel)).Append("</text>");
        return s.Append("</svg>").ToString();
    }

    // The label column is 225 px of 11 px sans-serif text; capitals run up to about 7.5 px each, so 30 characters fit
    // (36 clipped "category:TELEPHONESFAXMACHINESTWOWAY..." at the SVG's left edge). The full name is the hover title.
    private const int MaxLabelChars = 30;

    private static string Shorten(string label) => label.Length <= MaxLabelChars ? label : label[..(MaxLabelChars - 1)] + "…";

    private static void Frame(StringBuilder s, string xLabel, string yLabel, double xMax, double yMax)
    {
        s.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(Height)
            .Append("\" role=\"img\" font-family=\"sans-serif\">")
            .Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(Width - Left - Right)
            .Append("\" height=\"").Append(Height - Top - Bottom).Append("\" fill=\"none\" stroke=\"#999\"/>");
        for (var k = 0; k <= 4; k++)
        {
            var fx = xMax * k / 4;
            var fy = yMax * k / 4;
            s.Append("<text x=\"").Append(F(X(fx, xMax), "0.#")).Append("\" y=\"").Append(Height - Bottom + 14).Append("\" font-size=\"10\" text-anchor=\"middle\">").Append(F(fx, "0.###")).Append("</text>")
                .Append("<text x=\"").Append(Left - 4).Append("\" y=\"").Append(F(Y(fy, yMax) + 3, "0.#")).Append("\" font-size=\"10\" text-anchor=\"end\">").Append(F(fy, "0.###")).Append("</text>");
        }

        s.Append("<text x=\"").Append((Width + Left) / 2).Append("\" y=\"").Append(Height - 6).Append("\" font-size=\"12\" text-anchor=\"middle\">").Append(Encode(xLabel)).Append("</text>")
            .Append("<text x=\"12\" y=\"").Append(Height / 2).Append("\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 12 ").Append(Height / 2).Append(")\">").Append(Encode(yLabel)).Append("</text>");
    }

    private static double X(double x, double xMax) => Left + ((Width - Left - Right) * Math.Clamp(x / xMax, 0, 1));

    private static double Y(double y, double yMax) => Height - Bottom - ((Height - Top - Bottom) * Math.Clamp(y / yMax, 0, 1));
}
