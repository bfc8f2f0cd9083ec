using System.Text.Json;

namespace Fraud.Chaos;

/// <summary>
/// How the probe sorts the answers it got: a server error is a 5xx the handler did not mean; the envelope gate's 503
/// (a third concurrent <c>/ProcessBatch</c> turned away, which the Functions host retries) is deliberate back-pressure
/// and is counted apart, so "answers >= 500" says what a user should read as a fault.
/// </summary>
public static class ProbeCounts
{
    /// <summary>The status key of a deliberate 503 from the envelope gate.</summary>
    public const string Busy = "503-busy";

    /// <summary>The title of the handler's <c>Problems.Busy</c> answer.</summary>
    public const string BusyTitle = "Too many requests of this kind in progress.";

    /// <summary>Whether a 503's body is the handler's busy ProblemDetails (and not a store outage or a crash).</summary>
    public static bool IsBusyProblem(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("title", out var title)
                && title.ValueKind == JsonValueKind.String
                && title.GetString() == BusyTitle;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Answers of 500 and above that are faults (the deliberate busy 503s excluded).</summary>
    public static int ServerErrors(IEnumerable<KeyValuePair<string, int>> statuses) =>
        statuses.Where(s => s.Key.Length == 3 && s.Key[0] == '5').Sum(s => s.Value);

    /// <summary>The envelope gate's deliberate 503s.</summary>
    public static int BusyAnswers(IEnumerable<KeyValuePair<string, int>> statuses) =>
        statuses.Where(s => s.Key == Busy).Sum(s => s.Value);
}
