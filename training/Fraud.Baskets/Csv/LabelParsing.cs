namespace Fraud.Baskets;

internal static class LabelParsing
{
    /// <summary>Accepts the spellings label exports use: 0/1, 0.0/1.0, true/false.</summary>
    public static bool TryParseFlag(ReadOnlySpan<char> text, out bool flag)
    {
        text = text.Trim();
        if (text is "1" or "1.0")
        {
            flag = true;
            return true;
        }

        if (text is "0" or "0.0")
        {
            flag = false;
            return true;
        }

        return bool.TryParse(text, out flag);
    }
}
