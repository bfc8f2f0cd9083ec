using System.Globalization;
using System.Text;

namespace FraudFunctions.Protocol;

/// <summary>
/// Makes caller-controlled text (a Service Bus MessageId, a batch id, a rejection reason quoting them) safe to put
/// in a log line: every control character, and the Unicode line and paragraph separators, becomes a visible escape
/// (<c>\r</c>, <c>\n</c>, <c>\u0085</c>), so one invocation's <c>Logs</c> entry can never forge a second trace line.
/// Long values are cut, so a 256 KB MessageId cannot flood Application Insights.
/// </summary>
public static class LogText
{
    /// <summary>Longest value kept; the rest is replaced by an ellipsis and the original length.</summary>
    public const int MaxLength = 200;

    public static string Escape(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        if (value.Length <= MaxLength && !NeedsEscaping(value))
        {
            return value;
        }

        var text = value.AsSpan(0, Math.Min(value.Length, MaxLength));
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                default:
                    if (IsUnsafe(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        if (value.Length > MaxLength)
        {
            builder.Append(CultureInfo.InvariantCulture, $"… ({value.Length} characters)");
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(string value)
    {
        foreach (var c in value)
        {
            if (c == '\\' || IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    // C0 and C1 controls (CR, LF, NEL, ESC...), DEL, and U+2028/U+2029, which some viewers break lines on.
    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
