using Fraud.Model;

namespace Fraud.Monitoring;

/// <summary>
/// One chunk of the prediction log's in-memory buffer: the fields a Parquet part holds, copied out of each scored
/// basket at request time into flat arrays of numbers and one character arena for every string. Nothing in it refers
/// to an object the request allocated (the arrays hold no references at all), so a basket dies with its request
/// instead of being promoted by every collection until the next flush, and the garbage collector never scans these
/// arrays. Chunks are reused after their records are written (<see cref="Reset"/>), so after a few flushes at a steady
/// rate the request path allocates nothing for the log.
/// </summary>
/// <remarks>
/// Not thread-safe: <see cref="BufferedPredictionLog"/> appends under its write lock and hands a chunk to the flush
/// only after taking it out of the writers' reach.
/// </remarks>
internal sealed class PredictionColumns
{
    /// <summary>Bytes one record occupies in the record columns (time, probability, decision, first line, line count, three text references).</summary>
    public const int RecordBytes = 8 + 8 + 1 + 4 + 4 + (3 * TextBytes);

    /// <summary>Bytes one basket line occupies in the line columns (price, quantity, four text references).</summary>
    public const int LineBytes = 8 + 4 + (4 * TextBytes);

    private const int TextBytes = 8;

    // A chunk is sealed (and a fresh one started) once appending would pass one of these, so no chunk grows past about
    // 7 MB (a CLI writing a million records with a long flush interval holds many chunks, not one giant array). Powers
    // of two, reached by doubling from the initial sizes, so a chunk's capacity never overshoots them.
    private const int SealRecords = 8_192;
    private const int SealLines = 65_536;
    private const int SealChars = 2 * 1024 * 1024;

    private long[] _ticks;
    private double[] _probability;
    private byte[] _decision;
    private int[] _firstLine;
    private int[] _lineCount;
    private Text[] _id;
    private Text[] _version;
    private Text[] _source;
    private double[] _price;
    private int[] _quantity;
    private Text[] _item;
    private Text[] _make;
    private Text[] _model;
    private Text[] _code;
    private char[] _chars;

    public PredictionColumns(int records = 256, int lines = 1024, int chars = 16 * 1024)
    {
        _ticks = new long[records];
        _probability = new double[records];
        _decision = new byte[records];
        _firstLine = new int[records];
        _lineCount = new int[records];
        _id = new Text[records];
        _version = new Text[records];
        _source = new Text[records];
        _price = new double[lines];
        _quantity = new int[lines];
        _item = new Text[lines];
        _make = new Text[lines];
        _model = new Text[lines];
        _code = new Text[lines];
        _chars = new char[chars];
    }

    /// <summary>Records held.</summary>
    public int Records { get; private set; }

    /// <summary>Basket lines held.</summary>
    public int Lines { get; private set; }

    /// <summary>Characters held in the arena.</summary>
    public int Chars { get; private set; }

    /// <summary>Bytes the arrays take (their capacity, not what is used).</summary>
    public long CapacityBytes =>
        ((long)_ticks.Length * RecordBytes) + ((long)_price.Length * LineBytes) + (2L * _chars.Length);

    /// <summary>Bytes a record takes in the columns: what <see cref="BufferedPredictionLog"/> bounds.</summary>
    public static long BytesOf(PredictionRecord record)
    {
        var items = record.Basket.Items;
        long chars = Length(record.Basket.Id) + Length(record.ModelVersion) + Length(record.Source);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            chars += Length(item.Item) + Length(item.Make) + Length(item.Model) + Length(item.GoodsCode);
        }

        return RecordBytes + ((long)LineBytes * items.Count) + (2 * chars);
    }

    /// <summary>Bytes record <paramref name="r"/> of this chunk takes (the same figure as <see cref="BytesOf(PredictionRecord)"/> gave when it was appended).</summary>
    public long BytesOf(int r)
    {
        long chars = Length(_id[r]) + Length(_version[r]) + Length(_source[r]);
        var first = _firstLine[r];
        var end = first + _lineCount[r];
        for (var l = first; l < end; l++)
        {
            chars += Length(_item[l]) + Length(_make[l]) + Length(_model[l]) + Length(_code[l]);
        }

        return RecordBytes + ((long)LineBytes * _lineCount[r]) + (2 * chars);
    }

    /// <summary>False when the chunk holds something and the record would take it past its sealing size.</summary>
    public bool HasRoomFor(int lines, long chars) =>
        Records == 0 || (Records < SealRecords && Lines + lines <= SealLines && Chars + chars <= SealChars);

    /// <summary>Copies the record's fields in (growing the arrays when needed, which a reused chunk rarely is).</summary>
    public void Append(PredictionRecord record)
    {
        var items = record.Basket.Items;
        var r = Records;
        EnsureRecords(r + 1);
        EnsureLines(Lines + items.Count);
        _ticks[r] = record.ScoredAt.UtcTicks;
        _probability[r] = record.FraudProbability;
        _decision[r] = (byte)record.Decision;
        _firstLine[r] = Lines;
        _lineCount[r] = items.Count;
        _id[r] = Copy(record.Basket.Id);
        _version[r] = Copy(record.ModelVersion);
        _source[r] = Copy(record.Source);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var l = Lines + i;
            _price[l] = item.CashPrice;
            _quantity[l] = item.Quantity;
            _item[l] = Copy(item.Item);
            _make[l] = Copy(item.Make);
            _model[l] = Copy(item.Model);
            _code[l] = Copy(item.GoodsCode);
        }

        Lines += items.Count;
        Records = r + 1;
    }

    /// <summary>Copies record <paramref name="r"/> of <paramref name="from"/> in (used to keep what a failed flush did not write).</summary>
    public void AppendFrom(PredictionColumns from, int r)
    {
        var count = from._lineCount[r];
        var first = from._firstLine[r];
        var n = Records;
        EnsureRecords(n + 1);
        EnsureLines(Lines + count);
        _ticks[n] = from._ticks[r];
        _probability[n] = from._probability[r];
        _decision[n] = from._decision[r];
        _firstLine[n] = Lines;
        _lineCount[n] = count;
        _id[n] = Copy(from.Span(from._id[r]), from._id[r].IsNull);
        _version[n] = Copy(from.Span(from._version[r]), from._version[r].IsNull);
        _source[n] = Copy(from.Span(from._source[r]), from._source[r].IsNull);
        for (var i = 0; i < count; i++)
        {
            var s = first + i;
            var l = Lines + i;
            _price[l] = from._price[s];
            _quantity[l] = from._quantity[s];
            _item[l] = Copy(from.Span(from._item[s]), from._item[s].IsNull);
            _make[l] = Copy(from.Span(from._make[s]), from._make[s].IsNull);
            _model[l] = Copy(from.Span(from._model[s]), from._model[s].IsNull);
            _code[l] = Copy(from.Span(from._code[s]), from._code[s].IsNull);
        }

        Lines += count;
        Records = n + 1;
    }

    /// <summary>Empties the chunk for reuse; the arrays keep their size.</summary>
    public void Reset()
    {
        Records = 0;
        Lines = 0;
        Chars = 0;
    }

    public long Ticks(int r) => _ticks[r];

    public double Probability(int r) => _probability[r];

    public Decision Decision(int r) => (Decision)_decision[r];

    public int FirstLine(int r) => _firstLine[r];

    public int LineCount(int r) => _lineCount[r];

    public Text Id(int r) => _id[r];

    public Text Version(int r) => _version[r];

    public Text Source(int r) => _source[r];

    public double Price(int line) => _price[line];

    public int Quantity(int line) => _quantity[line];

    public Text Item(int line) => _item[line];

    public Text Make(int line) => _make[line];

    public Text ModelName(int line) => _model[line];

    public Text GoodsCode(int line) => _code[line];

    /// <summary>The characters of a text held in this chunk.</summary>
    public ReadOnlySpan<char> Span(Text text) => text.IsNull ? default : _chars.AsSpan(text.Start, text.Length);

    /// <summary>
    /// The characters of a text held in this chunk as memory (null for a null text), valid until the chunk is reset or
    /// appended to: the flush hands these to the Parquet writer without making strings of them.
    /// </summary>
    public ReadOnlyMemory<char>? Memory(Text text) => text.IsNull ? null : _chars.AsMemory(text.Start, text.Length);

    private static int Length(string? s) => s?.Length ?? 0;

    private static int Length(Text text) => text.IsNull ? 0 : text.Length;

    private Text Copy(string? value) => value is null ? Text.Null : Copy(value.AsSpan(), isNull: false);

    private Text Copy(ReadOnlySpan<char> value, bool isNull)
    {
        if (isNull)
        {
            return Text.Null;
        }

        var start = Chars;
        if (start + value.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(start + value.Length, _chars.Length * 2));
        }

        value.CopyTo(_chars.AsSpan(start));
        Chars = start + value.Length;
        return new Text(start, value.Length);
    }

    private void EnsureRecords(int needed)
    {
        if (needed <= _ticks.Length)
        {
            return;
        }

        var size = Math.Max(needed, _ticks.Length * 2);
        Array.Resize(ref _ticks, size);
        Array.Resize(ref _probability, size);
        Array.Resize(ref _decision, size);
        Array.Resize(ref _firstLine, size);
        Array.Resize(ref _lineCount, size);
        Array.Resize(ref _id, size);
        Array.Resize(ref _version, size);
        Array.Resize(ref _source, size);
    }

    private void EnsureLines(int needed)
    {
        if (needed <= _price.Length)
        {
            return;
        }

        var size = Math.Max(needed, _price.Length * 2);
        Array.Resize(ref _price, size);
        Array.Resize(ref _quantity, size);
        Array.Resize(ref _item, size);
        Array.Resize(ref _make, size);
        Array.Resize(ref _model, size);
        Array.Resize(ref _code, size);
    }

    /// <summary>Where a string lies in the chunk's character arena; <see cref="Null"/> for a null string.</summary>
    internal readonly record struct Text(int Start, int Length)
    {
        public static Text Null => new(0, -1);

        public bool IsNull => Length < 0;
    }
}
