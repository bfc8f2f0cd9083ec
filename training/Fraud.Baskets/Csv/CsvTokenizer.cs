using System.Buffers;

namespace Fraud.Baskets;

/// <summary>
/// A streaming RFC 4180 tokenizer: quoted fields (with doubled quotes, commas and line breaks inside),
/// LF or CRLF line ends, blank lines skipped. One record's fields live in a reused char buffer and are
/// handed out as spans, so reading a row allocates nothing until the caller decides to keep a value.
/// </summary>
internal sealed class CsvTokenizer
{
    private static readonly SearchValues<char> FieldEnd = SearchValues.Create(",\r\n\"");

    /// <summary>
    /// Longest record accepted, in characters. A valid challenge row is far shorter (146 cells of at most 256
    /// characters); the cap keeps memory bounded when a file is not CSV at all or a quote is never closed.
    /// </summary>
    public const int MaxRecordLength = 1 << 20;

    private readonly TextReader _reader;
    private readonly char[] _buffer;
    private int _position;
    private int _length;
    private bool _endOfInput;

    private char[] _record = new char[4096];
    private int _recordLength;
    private int[] _fieldEnds = new int[256];
    private int _fieldCount;
    private long _line = 1;
    private bool _lastFieldWasQuoted;

    public CsvTokenizer(TextReader reader, int bufferSize = 1 << 16)
    {
        _reader = reader;
        _buffer = new char[bufferSize];
    }

    /// <summary>Header names, once known, so that syntax errors can name their column.</summary>
    public string[]? ColumnNames { get; set; }

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>1-based physical line on which the current record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The unescaped text of field <paramref name="index"/> of the current record.</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_fieldCount)
            {
                return [];
            }

            var start = index == 0 ? 0 : _fieldEnds[index - 1];
            return _record.AsSpan(start, _fieldEnds[index] - start);
        }
    }

    /// <summary>Reads the next non-blank record; false at the end of the input.</summary>
    public bool ReadRecord()
    {
        while (true)
        {
            if (!ReadOneRecord())
            {
                return false;
            }

            if (_fieldCount > 1 || _recordLength > 0 || _lastFieldWasQuoted)
            {
                return true;
            }
        }
    }

    private bool ReadOneRecord()
    {
        _fieldCount = 0;
        _recordLength = 0;
        _lastFieldWasQuoted = false;
        if (!EnsureData())
        {
            return false;
        }

        RecordLine = _line;
        while (true)
        {
            // Most cells of a challenge row are empty slots: take runs of bare commas without a search.
            if (_position < _length && _buffer[_position] == ',')
            {
                _lastFieldWasQuoted = false;
                EndField();
                _position++;
                continue;
            }

            var quoted = EnsureData() && _buffer[_position] == '"';
            _lastFieldWasQuoted = quoted;
            if (quoted)
            {
                _position++;
                ReadQuotedField();
            }
            else
            {
                ReadPlainField();
            }

            EndField();

            if (!EnsureData())
            {
                return true;
            }

            var c = _buffer[_position++];
            switch (c)
            {
                case ',':
                    continue;
                case '\n':
                    _line++;
                    return true;
                case '\r':
                    if (EnsureData() && _buffer[_position] == '\n')
                    {
                        _position++;
                    }

                    _line++;
                    return true;
                default:
                    throw new BasketCsvException(
                        $"Unexpected character '{c}' after a closing quote (a quote inside a quoted field must be doubled).",
                        _line,
                        NameOf(_fieldCount - 1));
            }
        }
    }

    private void ReadPlainField()
    {
        while (EnsureData())
        {
            var span = _buffer.AsSpan(_position, _length - _position);
            var stop = span.IndexOfAny(FieldEnd);
            if (stop < 0)
            {
                Append(span);
                _position = _length;
                continue;
            }

            Append(span[..stop]);
            _position += stop;
            if (span[stop] != '"')
            {
                return;
            }

            // A stray quote inside an unquoted field is kept as text: lenient, and never changes other fields.
            Append("\"");
            _position++;
        }
    }

    private void ReadQuotedField()
    {
        var startLine = _line;
        while (true)
        {
            if (!EnsureData())
            {
                throw new BasketCsvException("A quoted field is not closed before the end of the file.", startLine, NameOf(_fieldCount));
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var quote = span.IndexOf('"');
            var chunk = quote < 0 ? span : span[..quote];
            _line += chunk.Count('\n');
            Append(chunk);
            if (quote < 0)
            {
                _position = _length;
                continue;
            }

            _position += quote + 1;
            if (EnsureData() && _buffer[_position] == '"')
            {
                Append("\"");
                _position++;
                continue;
            }

            return;
        }
    }

    private string? NameOf(int field) =>
        ColumnNames is { } names && (uint)field < (uint)names.Length ? names[field] : null;

    private void EndField()
    {
        if (_fieldCount == _fieldEnds.Length)
        {
            Array.Resize(ref _fieldEnds, _fieldEnds.Length * 2);
        }

        _fieldEnds[_fieldCount++] = _recordLength;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_recordLength + chars.Length > MaxRecordLength)
        {
            throw new BasketCsvException($"The record is longer than {MaxRecordLength} characters; is this a CSV file, and is every quote closed?", RecordLine, NameOf(_fieldCount));
        }

        if (_recordLength + chars.Length > _record.Length)
        {
            Array.Resize(ref _record, Math.Max(_record.Length * 2, _recordLength + chars.Length));
        }

        chars.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += chars.Length;
    }

    private bool EnsureData()
    {
        if (_position < _length)
        {
            return true;
        }

        if (_endOfInput)
        {
            return false;
        }

        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        if (_length <= 0)
        {
            _length = 0;
            _endOfInput = true;
            return false;
        }

        return true;
    }
}
