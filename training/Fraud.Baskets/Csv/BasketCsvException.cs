namespace Fraud.Baskets;

/// <summary>
/// A CSV row or header that cannot be read as written. <see cref="Line"/> is the 1-based physical line
/// (the header is line 1) and <see cref="Column"/> the column name from the header, when one applies.
/// A <see cref="FormatException"/>, so callers that already treat malformed input as such (the CLI
/// prints one line and exits 1) need nothing more.
/// </summary>
public sealed class BasketCsvException : FormatException
{
    public BasketCsvException()
        : this("The CSV file is malformed.", 0, null)
    {
    }

    public BasketCsvException(string message)
        : this(message, 0, null)
    {
    }

    public BasketCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    public BasketCsvException(string message, long line, string? column, string? filePath = null)
        : base(Format(message, line, column, filePath))
    {
        Reason = message;
        Line = line;
        Column = column;
        FilePath = filePath;
    }

    /// <summary>1-based line of the offending record (0 when unknown).</summary>
    public long Line { get; }

    /// <summary>Header name of the offending column, or null when the whole row or file is at fault.</summary>
    public string? Column { get; }

    /// <summary>The file being read, when known.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Reason { get; }

    private static string Format(string message, long line, string? column, string? source)
    {
        var where = source is null ? string.Empty : $"{Path.GetFileName(source)}: ";
        if (line > 0)
        {
            where += $"line {line}";
            where += column is null ? ": " : $", column {column}: ";
        }
        else if (column is not null)
        {
            where += $"column {column}: ";
        }

        return where + message;
    }
}
