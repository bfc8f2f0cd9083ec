namespace Fraud.Baskets;

/// <summary>How <see cref="BasketCsv"/> treats the rows it reads.</summary>
public sealed class CsvReadOptions
{
    /// <summary>
    /// Skip rows that break a rule and count them in <see cref="Stats"/> instead of throwing
    /// <see cref="BasketCsvException"/>. A malformed file structure (missing columns, an unclosed quote) still throws.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>Map category spellings to <see cref="Categories.Normalize"/>'s key while reading (on by default).</summary>
    public bool NormalizeCategories { get; init; } = true;

    /// <summary>What the last read saw: rows read, rows skipped and why.</summary>
    public CsvReadStats Stats { get; } = new();
}

/// <summary>Counts from a read, filled while the rows stream past.</summary>
public sealed class CsvReadStats
{
    private const int MaxExamples = 5;
    private readonly List<string> _skipExamples = [];

    /// <summary>Data rows returned to the caller.</summary>
    public long RowsRead { get; internal set; }

    /// <summary>Data rows left out because they broke a rule (only with <see cref="CsvReadOptions.SkipBadRows"/>).</summary>
    public long RowsSkipped { get; internal set; }

    /// <summary>The first few reasons for skipping, each naming its line and column.</summary>
    public IReadOnlyList<string> SkipExamples => _skipExamples;

    internal void Skipped(BasketCsvException error)
    {
        RowsSkipped++;
        if (_skipExamples.Count < MaxExamples)
        {
            _skipExamples.Add(error.Message);
        }
    }

    internal void Reset()
    {
        RowsRead = 0;
        RowsSkipped = 0;
        _skipExamples.Clear();
    }

    public override string ToString() =>
        RowsSkipped == 0
            ? $"{RowsRead} rows read"
            : $"{RowsRead} rows read, {RowsSkipped} skipped (first: {_skipExamples[0]})";
}
