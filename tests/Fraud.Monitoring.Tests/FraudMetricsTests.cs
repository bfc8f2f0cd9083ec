using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Fraud.Monitoring.Telemetry;
using Fraud.Testing;

namespace Fraud.Monitoring.Tests;

public sealed partial class FraudMetricsTests
{
    [Fact]
    public void EveryTelemetryNameInSettingsIsDefinedAndNothingElse()
    {
        // The Bicep alerts query the names in docs/settings.md; the code must define exactly those.
        var settings = File.ReadAllText(RepositoryPaths.Combine("docs", "settings.md"));
        var section = settings[settings.IndexOf("## Telemetry names", StringComparison.Ordinal)..];
        var metrics = MetricName().Matches(section).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);
        var events = EventLine().Match(section).Groups[1].Value.Split(',').Select(e => e.Trim().Trim('`', '.')).Order(StringComparer.Ordinal);

        Assert.Equal(metrics, FraudMetrics.MetricNames.Order(StringComparer.Ordinal));
        Assert.Equal(events, FraudMetrics.EventNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ScoresDecisionsAndModelAgeReachAListener()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 11, 0, 0, 0, TimeSpan.Zero));
        using var metrics = new FraudMetrics(clock);
        var seen = new List<(string Name, double Value, string? Tag)>();
        using var listener = Listen(metrics, seen);
        metrics.SetModelTrainedAtSource(() => new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

        metrics.RecordScore("decline", 0.93, 1250.5);
        listener.RecordObservableInstruments();

        Assert.Contains((FraudMetrics.Decisions, 1.0, "decline"), seen);
        Assert.Contains((FraudMetrics.Probability, 0.93, null), seen);
        Assert.Contains((FraudMetrics.AmountScored, 1250.5, null), seen);
        Assert.Contains((FraudMetrics.ModelAgeDays, 10.0, null), seen);
    }

    [Fact]
    public void ModelAgeIsSilentWithoutAModelAndEventsReachSubscribers()
    {
        using var metrics = new FraudMetrics();
        var seen = new List<(string Name, double Value, string? Tag)>();
        using var listener = Listen(metrics, seen);
        var events = new List<string>();
        metrics.EventRaised += (name, _) => events.Add(name);

        metrics.SetModelTrainedAtSource(() => null);
        listener.RecordObservableInstruments();
        metrics.RaiseEvent(FraudMetrics.BatchRejectedEvent, new Dictionary<string, string> { ["batchId"] = "b-1" });

        Assert.DoesNotContain(seen, s => s.Name == FraudMetrics.ModelAgeDays);
        Assert.Equal([FraudMetrics.BatchRejectedEvent], events);
    }

    private static MeterListener Listen(FraudMetrics metrics, List<(string Name, double Value, string? Tag)> seen)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add((i.Name, v, Tag(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Add((i.Name, v, Tag(tags))));
        listener.Start();
        return listener;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length == 0 ? null : tags[0].Value as string;

    [GeneratedRegex(@"`(fraud\.[a-z_.]+)`")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"Custom events: (.+)\n")]
    private static partial Regex EventLine();

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
