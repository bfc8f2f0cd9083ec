namespace Fraud.Learning;

/// <summary>
/// A dense, row-major matrix of single-precision features. <see cref="float.NaN"/> marks a missing value;
/// every learner in this library treats NaN as "unknown", never as a number.
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>Creates a zero-filled matrix.</summary>
    public FeatureMatrix(int rows, int columns)
        : this(rows, columns, new float[CheckedSize(rows, columns)])
    {
    }

    /// <summary>Wraps an existing row-major buffer of exactly <paramref name="rows"/> × <paramref name="columns"/> values (no copy).</summary>
    public FeatureMatrix(int rows, int columns, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var size = CheckedSize(rows, columns);
        if (values.Length != size)
        {
            throw new ArgumentException($"Expected {size} values for {rows} x {columns}, got {values.Length}.", nameof(values));
        }

        Rows = rows;
        Columns = columns;
        Values = values;
    }

    /// <summary>Number of rows (examples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>The row-major backing store: row r occupies <c>[r * Columns, (r + 1) * Columns)</c>.</summary>
    public float[] Values { get; }

    /// <summary>Gets or sets one cell.</summary>
    public float this[int row, int column]
    {
        get => Values[Index(row, column)];
        set => Values[Index(row, column)] = value;
    }

    /// <summary>A writable view of one row.</summary>
    public Span<float> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return Values.AsSpan(row * Columns, Columns);
    }

    private int Index(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        return (row * Columns) + column;
    }

    private static int CheckedSize(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        var size = (long)rows * columns;
        if (size > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} x {columns} exceeds the largest array .NET can allocate.");
        }

        return (int)size;
    }
}
