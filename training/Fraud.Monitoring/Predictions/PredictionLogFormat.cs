using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Monitoring;

/// <summary>
/// The prediction log's layout in the <c>predictions</c> container: hour folders <c>yyyy/MM/dd/HH/</c>, so reading a
/// time window lists only its hours. Parts are Parquet (<see cref="PredictionParquet"/>); the JSON lines written by
/// earlier versions (<c>&lt;timestamp&gt;-&lt;instance&gt;-&lt;seq&gt;.jsonl</c>) are still read.
/// </summary>
public static class PredictionLogFormat
{
    /// <summary>The hour folder of <paramref name="time"/> (UTC), ending in '/'.</summary>
    public static string HourPrefix(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return utc.ToString("yyyy'/'MM'/'dd'/'HH'/'", CultureInfo.InvariantCulture);
    }

    /// <summary>File extension of the Parquet parts and compacted files.</summary>
    public const string ParquetExtension = ".parquet";

    /// <summary>File extension of the JSON-lines blobs written before the Parquet layout (still read).</summary>
    public const string JsonLinesExtension = ".jsonl";

    /// <summary>Content type of the Parquet blobs.</summary>
    public const string ParquetContentType = "application/vnd.apache.parquet";

    /// <summary>The blob name of one flushed chunk: <c>yyyy/MM/dd/HH/part-&lt;written&gt;-&lt;instance&gt;-&lt;seq&gt;.parquet</c>.</summary>
    public static string PartName(DateTimeOffset hour, DateTimeOffset writtenAt, string instance, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(hour)}part-{writtenAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{instance}-{sequence:D6}{ParquetExtension}");

    /// <summary>The blob name of an hour's compacted file: <c>yyyy/MM/dd/HH/compacted-&lt;ticks&gt;.parquet</c> (a later compaction sorts after).</summary>
    public static string CompactedName(DateTimeOffset hour, DateTimeOffset writtenAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(hour)}{CompactedPrefix}{writtenAt.UtcTicks:D19}{ParquetExtension}");

    /// <summary>When a compacted file was written, from its name.</summary>
    public static DateTimeOffset CompactedTime(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var start = name.LastIndexOf(CompactedPrefix, StringComparison.Ordinal) + CompactedPrefix.Length;
        var ticks = long.Parse(name.AsSpan(start, 19), NumberStyles.None, CultureInfo.InvariantCulture);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>Whether a blob name is a compacted file.</summary>
    public static bool IsCompacted(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slash = name.LastIndexOf('/');
        return name.AsSpan(slash + 1).StartsWith(CompactedPrefix, StringComparison.Ordinal) && name.EndsWith(ParquetExtension, StringComparison.Ordinal);
    }

    private const string CompactedPrefix = "compacted-";

    /// <summary>The blob name of one flushed chunk in the JSON-lines layout (kept for tests and conversions of old logs).</summary>
    public static string BlobName(DateTimeOffset hour, DateTimeOffset writtenAt, string instance, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{HourPrefix(hour)}{writtenAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{instance}-{sequence:D6}.jsonl");

    /// <summary>Appends one record as a JSON line.</summary>
    public static void WriteLine(IBufferWriter<byte> output, PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = new PredictionLine
        {
            Id = record.Basket.Id,
            Items = record.Basket.Items,
            Probability = record.FraudProbability,
            Decision = DecisionName(record.Decision),
            ModelVersion = record.ModelVersion,
            ScoredAt = record.ScoredAt,
            Source = record.Source,
        };
        using (var writer = new Utf8JsonWriter(output))
        {
            JsonSerializer.Serialize(writer, line, MonitoringJsonContext.Default.PredictionLine);
        }

        output.Write("\n"u8);
    }

    /// <summary>Parses a chunk; a malformed line is skipped and counted rather than losing the whole chunk.</summary>
    public static int ReadLines(ReadOnlySpan<byte> content, List<PredictionRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var bad = 0;
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            try
            {
                var parsed = JsonSerializer.Deserialize(line, MonitoringJsonContext.Default.PredictionLine);
                if (parsed?.Id is null || parsed.Items is null || !Enum.TryParse<Decision>(parsed.Decision, true, out var decision))
                {
                    bad++;
                    continue;
                }

                records.Add(new PredictionRecord(new Basket(parsed.Id, parsed.Items), parsed.Probability, decision, parsed.ModelVersion ?? string.Empty, parsed.ScoredAt, parsed.Source ?? string.Empty));
            }
            catch (JsonException)
            {
                bad++;
            }
        }

        return bad;
    }

    /// <summary>Lower-case decision name, as in the metrics' <c>decision</c> tag.</summary>
    public static string DecisionName(Decision decision) => decision switch
    {
        Decision.Approve => "approve",
        Decision.Review => "review",
        Decision.Decline => "decline",
        _ => decision.ToString().ToLowerInvariant(),
    };
}

/// <summary>The JSON shape of one prediction-log line.</summary>
public sealed class PredictionLine
{
    public string? Id { get; set; }

    public IReadOnlyList<BasketItem>? Items { get; set; }

    public double Probability { get; set; }

    public string? Decision { get; set; }

    public string? ModelVersion { get; set; }

    public DateTimeOffset ScoredAt { get; set; }

    public string? Source { get; set; }
}

/// <summary>Source-generated JSON for the monitoring blobs (camelCase, compact).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictionLine))]
[JsonSerializable(typeof(LabelLine))]
[JsonSerializable(typeof(List<LabelLine>))]
[JsonSerializable(typeof(DatasetLine))]
[JsonSerializable(typeof(TrainingDataManifest))]
public sealed partial class MonitoringJsonContext : JsonSerializerContext;
