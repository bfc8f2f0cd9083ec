namespace Fraud.Baskets;

/// <summary>
/// Reads and writes the challenge's basket files: <c>X.csv</c> (146 feature columns), <c>Y.csv</c>
/// (<c>ID,fraud_flag</c>, optionally after an unnamed index column) and combined files whose last
/// column is <c>fraud_flag</c>. Reading streams: memory stays flat however many rows the file has.
/// </summary>
public static class BasketCsv
{
    /// <summary>Streams the baskets of a features file; the file is opened when enumeration starts.</summary>
    public static IEnumerable<Basket> ReadBaskets(string path, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadBasketsFromFile(path, options ?? new CsvReadOptions());
    }

    /// <summary>Streams the baskets of features CSV text; a <c>fraud_flag</c> column, if present, is ignored.</summary>
    public static IEnumerable<Basket> ReadBaskets(TextReader reader, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadBasketsCore(reader, options ?? new CsvReadOptions(), null);
    }

    /// <summary>Reads a labels file (<c>ID,fraud_flag</c>, extra columns such as an index ignored) into id → is fraud.</summary>
    public static IReadOnlyDictionary<string, bool> ReadLabels(string path, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = OpenText(path);
        return ReadLabels(reader, options, path);
    }

    /// <summary>Reads labels CSV text (<c>ID,fraud_flag</c>) into id → is fraud.</summary>
    public static IReadOnlyDictionary<string, bool> ReadLabels(TextReader reader, CsvReadOptions? options = null) =>
        ReadLabels(reader, options, null);

    /// <summary>
    /// Reads features and labels and joins them on ID. Labels come from <paramref name="labelsPath"/>, or when it
    /// is null from a <c>fraud_flag</c> column of the features file. Rows on one side only are left out and reported
    /// in <see cref="LabelledDataset.Join"/>.
    /// </summary>
    public static LabelledDataset ReadLabelled(string featuresPath, string? labelsPath, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(featuresPath);
        options ??= new CsvReadOptions();
        var labels = labelsPath is null ? null : ReadLabels(labelsPath, new CsvReadOptions { SkipBadRows = options.SkipBadRows });
        options.Stats.Reset();
        using var text = OpenText(featuresPath);
        var reader = new BasketCsvReader(text, options, featuresPath);
        if (labels is null && !reader.HasLabelColumn)
        {
            throw new BasketCsvException(
                "No labels: the file has no fraud_flag column and no labels file was given.",
                1,
                BasketCsvColumns.FraudFlag,
                featuresPath);
        }

        var join = new JoinBuilder();
        var baskets = new List<Basket>();
        var flags = new List<bool>();
        while (reader.TryRead(out var basket, out var columnLabel))
        {
            bool? label = labels is null ? columnLabel : labels.TryGetValue(basket.Id, out var l) ? l : null;
            if (join.Accept(basket.Id, label.HasValue))
            {
                baskets.Add(basket);
                flags.Add(label!.Value);
            }
        }

        return new LabelledDataset(baskets, [.. flags], join.Finish(labels), options.Stats);
    }

    /// <summary>Writes baskets in the challenge layout (header plus one row each), numbers in invariant culture.</summary>
    public static void WriteBaskets(TextWriter writer, IEnumerable<Basket> baskets)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(baskets);
        var row = new BasketCsvWriter(writer, withLabel: false);
        foreach (var basket in baskets)
        {
            row.Write(basket, null);
        }
    }

    /// <summary>Writes a combined file: the 146 feature columns and a last <c>fraud_flag</c> column.</summary>
    public static void WriteLabelledBaskets(TextWriter writer, IEnumerable<LabelledBasket> baskets)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(baskets);
        var row = new BasketCsvWriter(writer, withLabel: true);
        foreach (var labelled in baskets)
        {
            row.Write(labelled.Basket, labelled.IsFraud);
        }
    }

    /// <summary>Writes <c>ID,fraud_flag</c> rows with flags as 0 or 1.</summary>
    public static void WriteLabels(TextWriter writer, IEnumerable<(string Id, bool IsFraud)> labels)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(labels);
        writer.Write("ID,fraud_flag\n");
        foreach (var (id, isFraud) in labels)
        {
            BasketCsvWriter.WriteField(writer, id);
            writer.Write(isFraud ? ",1\n" : ",0\n");
        }
    }

    /// <summary>Opens a file for reading with a large buffer, turning a missing file into a clear message.</summary>
    internal static StreamReader OpenText(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"File not found: {path}", path);
        }

        return new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
    }

    private static IEnumerable<Basket> ReadBasketsFromFile(string path, CsvReadOptions options)
    {
        using var text = OpenText(path);
        foreach (var basket in ReadBasketsCore(text, options, path))
        {
            yield return basket;
        }
    }

    private static IEnumerable<Basket> ReadBasketsCore(TextReader text, CsvReadOptions options, string? path)
    {
        options.Stats.Reset();
        var reader = new BasketCsvReader(text, options, path);
        while (reader.TryRead(out var basket, out _))
        {
            yield return basket;
        }
    }

    private static Dictionary<string, bool> ReadLabels(TextReader text, CsvReadOptions? options, string? path)
    {
        options ??= new CsvReadOptions();
        options.Stats.Reset();
        var tokenizer = new CsvTokenizer(text);
        if (!tokenizer.ReadRecord())
        {
            throw new BasketCsvException("The labels file is empty; expected a header ID,fraud_flag.", 1, null, path);
        }

        var header = new string[tokenizer.FieldCount];
        int idColumn = -1, flagColumn = -1;
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = tokenizer[i].Trim().ToString();
            if (header[i].Equals(BasketCsvColumns.Id, StringComparison.OrdinalIgnoreCase))
            {
                idColumn = i;
            }
            else if (header[i].Equals(BasketCsvColumns.FraudFlag, StringComparison.OrdinalIgnoreCase))
            {
                flagColumn = i;
            }
        }

        tokenizer.ColumnNames = header;
        if (idColumn < 0 || flagColumn < 0)
        {
            throw new BasketCsvException(
                $"The labels header has no {(idColumn < 0 ? "ID" : "fraud_flag")} column; expected ID,fraud_flag.",
                1,
                idColumn < 0 ? BasketCsvColumns.Id : BasketCsvColumns.FraudFlag,
                path);
        }

        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        while (tokenizer.ReadRecord())
        {
            try
            {
                ReadLabelRow(tokenizer, header, idColumn, flagColumn, labels, path);
                options.Stats.RowsRead++;
            }
            catch (BasketCsvException ex) when (options.SkipBadRows)
            {
                options.Stats.Skipped(ex);
            }
        }

        return labels;
    }

    private static void ReadLabelRow(CsvTokenizer tokenizer, string[] header, int idColumn, int flagColumn, Dictionary<string, bool> labels, string? path)
    {
        var line = tokenizer.RecordLine;
        if (tokenizer.FieldCount != header.Length)
        {
            throw new BasketCsvException($"The row has {tokenizer.FieldCount} fields but the header has {header.Length}.", line, null, path);
        }

        var id = tokenizer[idColumn].Trim();
        if (id.IsEmpty)
        {
            throw new BasketCsvException("The basket id is empty.", line, BasketCsvColumns.Id, path);
        }

        if (!LabelParsing.TryParseFlag(tokenizer[flagColumn], out var flag))
        {
            throw new BasketCsvException($"A fraud flag must be 0 or 1, not '{tokenizer[flagColumn].ToString()}'.", line, BasketCsvColumns.FraudFlag, path);
        }

        var key = id.ToString();
        if (labels.TryGetValue(key, out var existing) && existing != flag)
        {
            throw new BasketCsvException($"Basket {key} is labelled both 0 and 1.", line, BasketCsvColumns.FraudFlag, path);
        }

        labels[key] = flag;
    }
}
