using System.Diagnostics.Metrics;
using Fraud.Monitoring.Telemetry;

namespace Fraud.Monitoring.Tests;

/// <summary>Adds up what one long counter of a <see cref="FraudMetrics"/> meter records while it is alive.</summary>
public sealed class CounterTotal : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterTotal(FraudMetrics metrics, string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == instrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
