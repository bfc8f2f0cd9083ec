using System.Globalization;
using Fraud.Baskets;
using Fraud.Model;
using Parquet;
using Parquet.Schema;

namespace Fraud.Monitoring;

/// <summary>
/// The prediction log's Parquet layout (schema version <see cref="SchemaVersion"/>, kept in the file's key-value
/// metadata under <see cref="SchemaVersionKey"/>). One row per basket <b>line</b>: the basket's own fields
/// (id, time, probability, decision, model version, source) are repeated on each of its lines, and
/// <c>line</c> = 0 starts a basket, so <c>WHERE line = 0</c> gives one row per scored basket.
/// </summary>
/// <remarks>
/// Why flat lines and not a list column per basket: a flat file is what every engine reads without a nested-type
/// dialect (DuckDB, Synapse serverless <c>OPENROWSET</c>, Spark), and Parquet.Net 6.1's low-level reader needs
/// hand-made definition levels for lists of strings. The repeated basket fields cost almost nothing on disk:
/// runs of equal values compress to a few bytes in the dictionary/RLE encodings plus Zstd (the size per basket is
/// printed by <c>fraud log size</c>). Nothing identifies a person: the basket id is the only key.
/// </remarks>
public static class PredictionParquet
{
    /// <summary>Version of the column layout below; readers refuse a file with a newer one.</summary>
    public const int SchemaVersion = 1;

    /// <summary>File metadata key that holds <see cref="SchemaVersion"/>.</summary>
    public const string SchemaVersionKey = "fraud.prediction_log.schema_version";

    /// <summary>File metadata key that holds the number of baskets (records) in the file.</summary>
    public const string RecordsKey = "fraud.prediction_log.records";

    /// <summary>File metadata key of a compacted file: the part files it replaces, one per line.</summary>
    public const string CompactedFromKey = "fraud.prediction_log.compacted_from";

    internal static readonly DataField BasketId = new("basket_id", typeof(string), isNullable: false);
    internal static readonly DataField Line = new("line", typeof(int), isNullable: false);
    internal static readonly DateTimeDataField ScoredAt = new("scored_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    internal static readonly DataField Probability = new("probability", typeof(double), isNullable: false);
    internal static readonly DataField DecisionField = new("decision", typeof(string), isNullable: false);
    internal static readonly DataField ModelVersion = new("model_version", typeof(string), isNullable: false);
    internal static readonly DataField Source = new("source", typeof(string), isNullable: false);
    internal static readonly DataField Item = new("item", typeof(string), isNullable: true);
    internal static readonly DataField CashPrice = new("cash_price", typeof(double), isNullable: false);
    internal static readonly DataField Make = new("make", typeof(string), isNullable: true);
    internal static readonly DataField ModelName = new("model", typeof(string), isNullable: true);
    internal static readonly DataField GoodsCode = new("goods_code", typeof(string), isNullable: true);
    internal static readonly DataField Quantity = new("quantity", typeof(int), isNullable: false);

    /// <summary>The schema every part and compacted file is written with.</summary>
    public static ParquetSchema Schema { get; } = new(BasketId, Line, ScoredAt, Probability, DecisionField, ModelVersion, Source, Item, CashPrice, Make, ModelName, GoodsCode, Quantity);

    // Declared before Options: static initialisers run in this order.
    /// <summary>
    /// Columns written with a dictionary page and RLE indexes (Parquet.Net encodes a column so only when asked, and
    /// falls back to plain when more than 80 % of its values are distinct). Decision, model version and source take a
    /// handful of values per part, the line fields a catalogue's worth. Measured on a part of 20,000 generated
    /// baskets (docs/performance.md, sixth round): 24.6 bytes per basket against 37.5 plain, and the flush no slower,
    /// because the plain encoder's UTF-8 transcoding and string min/max statistics then run over the dictionary only.
    /// The basket id is left plain: in real traffic it is unique per basket (hashing it would buy nothing).
    /// </summary>
    internal static IReadOnlyList<DataField> DictionaryColumns { get; } = [DecisionField, ModelVersion, Source, Item, Make, ModelName, GoodsCode];

    /// <summary>
    /// Zstd at its default level: read by DuckDB, Synapse and Spark alike. SmallestSize was tried and is too slow for a
    /// flush of large baskets on two cores (`fraud log outage` dropped 376 of 11,988 because spilling fell behind).
    /// The string columns of few distinct values are dictionary-encoded (<see cref="DictionaryColumns"/>).
    /// </summary>
    public static ParquetOptions Options { get; } = CreateOptions();

    private static ParquetOptions CreateOptions()
    {
        // DictionaryEncodingSampleSize: a column whose first 1,000 values are more than 80 % distinct (a catalogue of
        // unique goods codes) is written plain at once, instead of after hashing every value of the part into a
        // dictionary that is then thrown away. Generated traffic's columns are far below it (237 goods codes, 240
        // models in 47,260 rows; 216 and 219 in the first 1,000).
        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Zstd,
            CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
            DictionaryEncodingSampleSize = 1_000,
        };
        foreach (var field in DictionaryColumns)
        {
            options.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
        }

        return options;
    }

    /// <summary>Which columns a read needs: drift needs the baskets only, retraining and the CLI everything.</summary>
    public enum Columns
    {
        /// <summary>Every column.</summary>
        All,

        /// <summary>Basket id, time and lines; probability, decision, model version and source are not read.</summary>
        BasketsOnly,
    }

    /// <summary>Writes <paramref name="count"/> records from <paramref name="start"/> as one row group.</summary>
    public static async Task WriteAsync(Stream output, IReadOnlyList<PredictionRecord> records, int start, int count, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(records);
        var lines = 0;
        for (var r = start; r < start + count; r++)
        {
            lines += Math.Max(records[r].Basket.Items.Count, 1);
        }

        var columns = new LineColumns();
        columns.EnsureCapacity(lines);
        var row = 0;
        for (var r = start; r < start + count; r++)
        {
            var record = records[r];
            var items = record.Basket.Items;
            var n = Math.Max(items.Count, 1);
            for (var i = 0; i < n; i++, row++)
            {
                columns.Ids[row] = record.Basket.Id.AsMemory();
                columns.LineNo[row] = i;
                columns.At[row] = record.ScoredAt.UtcDateTime;
                columns.Probability[row] = record.FraudProbability;
                columns.Decision[row] = PredictionLogFormat.DecisionName(record.Decision).AsMemory();
                columns.Version[row] = (record.ModelVersion ?? string.Empty).AsMemory();
                columns.Source[row] = (record.Source ?? string.Empty).AsMemory();
                if (i < items.Count)
                {
                    var line = items[i];
                    columns.Item[row] = Nullable(line.Item);
                    columns.Price[row] = line.CashPrice;
                    columns.Make[row] = Nullable(line.Make);
                    columns.Model[row] = Nullable(line.Model);
                    columns.Code[row] = Nullable(line.GoodsCode);
                    columns.Quantity[row] = line.Quantity;
                }
            }
        }

        await WriteAsync(output, columns, lines, count, metadata, ct);
    }

    private static ReadOnlyMemory<char>? Nullable(string? value) => value is null ? null : value.AsMemory();

    /// <summary>Writes the first <paramref name="lines"/> rows of <paramref name="columns"/> (<paramref name="records"/> baskets) as one row group.</summary>
    internal static async Task WriteAsync(Stream output, LineColumns columns, int lines, int records, IReadOnlyDictionary<string, string>? metadata, CancellationToken ct)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, output, Options, cancellationToken: ct);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { [SchemaVersionKey] = SchemaVersion.ToString(CultureInfo.InvariantCulture), [RecordsKey] = records.ToString(CultureInfo.InvariantCulture) };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }
        }

        writer.CustomMetadata = meta;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<ReadOnlyMemory<char>>(BasketId, columns.Ids.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<int>(Line, columns.LineNo.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<DateTime>(ScoredAt, columns.At.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<double>(Probability, columns.Probability.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(DecisionField, columns.Decision.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(ModelVersion, columns.Version.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(Source, columns.Source.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(Item, columns.Item.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<double>(CashPrice, columns.Price.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(Make, columns.Make.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(ModelName, columns.Model.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<ReadOnlyMemory<char>>(GoodsCode, columns.Code.AsMemory(0, lines), cancellationToken: ct);
        await group.WriteAsync<int>(Quantity, columns.Quantity.AsMemory(0, lines), cancellationToken: ct);
    }

    /// <summary>
    /// One row per basket line, the layout of a part file, in arrays that may be longer than what is written (the
    /// flush reuses one set). Texts are slices (of the log's character arenas or of strings), never copied into strings
    /// of their own: Parquet.Net takes <see cref="ReadOnlyMemory{T}"/> of char directly. Null make/model/goods code
    /// (optional in the contract) stay null: the string columns are nullable.
    /// </summary>
    internal sealed class LineColumns
    {
        public ReadOnlyMemory<char>?[] Ids = [];
        public int[] LineNo = [];
        public DateTime[] At = [];
        public double[] Probability = [];
        public ReadOnlyMemory<char>?[] Decision = [];
        public ReadOnlyMemory<char>?[] Version = [];
        public ReadOnlyMemory<char>?[] Source = [];
        public ReadOnlyMemory<char>?[] Item = [];
        public double[] Price = [];
        public ReadOnlyMemory<char>?[] Make = [];
        public ReadOnlyMemory<char>?[] Model = [];
        public ReadOnlyMemory<char>?[] Code = [];
        public int[] Quantity = [];

        public void EnsureCapacity(int lines)
        {
            if (lines <= Ids.Length)
            {
                return;
            }

            var size = Math.Max(lines, Ids.Length * 2);
            Ids = new ReadOnlyMemory<char>?[size];
            LineNo = new int[size];
            At = new DateTime[size];
            Probability = new double[size];
            Decision = new ReadOnlyMemory<char>?[size];
            Version = new ReadOnlyMemory<char>?[size];
            Source = new ReadOnlyMemory<char>?[size];
            Item = new ReadOnlyMemory<char>?[size];
            Price = new double[size];
            Make = new ReadOnlyMemory<char>?[size];
            Model = new ReadOnlyMemory<char>?[size];
            Code = new ReadOnlyMemory<char>?[size];
            Quantity = new int[size];
        }

        /// <summary>Drops the text references of the first <paramref name="lines"/> rows so the arenas and strings they point into can be reused or collected.</summary>
        public void ClearStrings(int lines)
        {
            Array.Clear(Ids, 0, lines);
            Array.Clear(Decision, 0, lines);
            Array.Clear(Version, 0, lines);
            Array.Clear(Source, 0, lines);
            Array.Clear(Item, 0, lines);
            Array.Clear(Make, 0, lines);
            Array.Clear(Model, 0, lines);
            Array.Clear(Code, 0, lines);
        }
    }

    /// <summary>The file's schema version, its number of records, and the part files it replaces (empty unless it is a compacted file).</summary>
    public static async Task<(int Version, int Records, IReadOnlyList<string> CompactedFrom)> ReadMetadataAsync(Stream input, CancellationToken ct = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, Options, leaveStreamOpen: true, cancellationToken: ct);
        var records = reader.CustomMetadata.TryGetValue(RecordsKey, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidDataException("Prediction log: the file does not say how many records it holds.");
        return (VersionOf(reader), records, CompactedFrom(reader));
    }

    /// <summary>
    /// Reads every row group, column by column (only the columns <paramref name="columns"/> asks for), and appends
    /// one record per basket. Throws <see cref="InvalidDataException"/> for a file of a newer schema.
    /// </summary>
    public static async Task ReadAsync(Stream input, List<PredictionRecord> into, Columns columns = Columns.All, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(into);
        await using var reader = await ParquetReader.CreateAsync(input, Options, leaveStreamOpen: true, cancellationToken: ct);
        _ = VersionOf(reader);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            var ids = new string?[rows];
            var lineNo = new int[rows];
            var at = new DateTime[rows];
            var item = new string?[rows];
            var price = new double[rows];
            var make = new string?[rows];
            var model = new string?[rows];
            var code = new string?[rows];
            var quantity = new int[rows];
            await group.ReadAsync(BasketId, ids.AsMemory(), cancellationToken: ct);
            await group.ReadAsync<int>(Line, lineNo.AsMemory(), cancellationToken: ct);
            await group.ReadAsync<DateTime>(ScoredAt, at.AsMemory(), cancellationToken: ct);
            await group.ReadAsync(Item, item.AsMemory(), cancellationToken: ct);
            await group.ReadAsync<double>(CashPrice, price.AsMemory(), cancellationToken: ct);
            await group.ReadAsync(Make, make.AsMemory(), cancellationToken: ct);
            await group.ReadAsync(ModelName, model.AsMemory(), cancellationToken: ct);
            await group.ReadAsync(GoodsCode, code.AsMemory(), cancellationToken: ct);
            await group.ReadAsync<int>(Quantity, quantity.AsMemory(), cancellationToken: ct);

            double[]? probability = null;
            string?[]? decision = null, version = null, source = null;
            if (columns == Columns.All)
            {
                probability = new double[rows];
                decision = new string?[rows];
                version = new string?[rows];
                source = new string?[rows];
                await group.ReadAsync<double>(Probability, probability.AsMemory(), cancellationToken: ct);
                await group.ReadAsync(DecisionField, decision.AsMemory(), cancellationToken: ct);
                await group.ReadAsync(ModelVersion, version.AsMemory(), cancellationToken: ct);
                await group.ReadAsync(Source, source.AsMemory(), cancellationToken: ct);
            }

            var first = 0;
            while (first < rows)
            {
                var end = first + 1;
                while (end < rows && lineNo[end] != 0)
                {
                    end++;
                }

                var lines = new BasketItem[end - first];
                for (var i = first; i < end; i++)
                {
                    lines[i - first] = new BasketItem(item[i]!, price[i], make[i]!, model[i]!, code[i]!, quantity[i]);
                }

                var decided = decision is null ? Decision.Approve : ParseDecision(decision[first]);
                var scoredAt = new DateTimeOffset(DateTime.SpecifyKind(at[first], DateTimeKind.Utc));
                into.Add(new PredictionRecord(new Basket(ids[first] ?? string.Empty, lines), probability?[first] ?? double.NaN, decided, version?[first] ?? string.Empty, scoredAt, source?[first] ?? string.Empty));
                first = end;
            }
        }
    }

    /// <summary>Appends the basket ids of the file (one per basket: the rows with <c>line</c> = 0); reads two columns only.</summary>
    public static async Task ReadBasketIdsAsync(Stream input, List<string> into, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(into);
        await using var reader = await ParquetReader.CreateAsync(input, Options, leaveStreamOpen: true, cancellationToken: ct);
        _ = VersionOf(reader);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            var ids = new string?[rows];
            var lineNo = new int[rows];
            await group.ReadAsync(BasketId, ids.AsMemory(), cancellationToken: ct);
            await group.ReadAsync<int>(Line, lineNo.AsMemory(), cancellationToken: ct);
            for (var i = 0; i < rows; i++)
            {
                if (lineNo[i] == 0 && ids[i] is { } id)
                {
                    into.Add(id);
                }
            }
        }
    }

    private static Decision ParseDecision(string? name) =>
        Enum.TryParse<Decision>(name, ignoreCase: true, out var decision) ? decision : throw new InvalidDataException($"Prediction log: unknown decision '{name}'.");

    private static int VersionOf(ParquetReader reader)
    {
        if (!reader.CustomMetadata.TryGetValue(SchemaVersionKey, out var text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidDataException("Prediction log: the file has no schema version; it was not written by this product.");
        }

        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"Prediction log: schema version {version} is newer than this reader's {SchemaVersion}; upgrade before reading it.");
        }

        return version;
    }

    private static string[] CompactedFrom(ParquetReader reader) =>
        reader.CustomMetadata.TryGetValue(CompactedFromKey, out var list) ? list.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
}
