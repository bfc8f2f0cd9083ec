using System.Diagnostics.Metrics;
using Azure.Identity;
using Fraud.Monitoring.Telemetry;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;

namespace FraudFunctions.Telemetry;

/// <summary>
/// Forwards the <c>Fraud.Scoring</c> meter and the custom events to Application Insights through the classic
/// <see cref="TelemetryClient"/>: every measurement goes to the SDK's pre-aggregating <c>GetMetric</c> (one
/// customMetrics row per minute and dimension, not one per request) under the instrument's own name, so the
/// Bicep alerts' queries match. Events become customEvents with their properties.
/// </summary>
public sealed class ApplicationInsightsForwarder : IDisposable
{
    private readonly TelemetryConfiguration _configuration;
    private readonly MeterListener _listener = new();
    private readonly FraudMetrics _metrics;

    public ApplicationInsightsForwarder(FraudMetrics metrics, string connectionString, ApplicationInsightsAuthentication? authentication)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _metrics = metrics;
        _configuration = TelemetryConfiguration.CreateDefault();
        _configuration.ConnectionString = connectionString;
        if (authentication is not null)
        {
            // Local auth is off on the resource: ingestion needs an Entra token from the app's managed identity.
            var identity = authentication.ClientId is null
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(authentication.ClientId);
            _configuration.SetAzureTokenCredential(new ManagedIdentityCredential(identity));
        }

        Client = new TelemetryClient(_configuration);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Track(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Track(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Track(i, v, tags));
        _listener.Start();
        _metrics.EventRaised += OnEvent;
    }

    /// <summary>The client the forwarder writes to.</summary>
    public TelemetryClient Client { get; }

    /// <summary>Reads the observable instruments (model age) once; called on a timer.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Sends what the SDK has buffered.</summary>
    public Task FlushAsync(CancellationToken ct) => Client.FlushAsync(ct);

    public void Dispose()
    {
        _metrics.EventRaised -= OnEvent;
        _listener.Dispose();
        _configuration.Dispose();
    }

    private void OnEvent(string name, IReadOnlyDictionary<string, string> properties) =>
        Client.TrackEvent(name, properties.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    private void Track(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // The product's instruments carry at most one tag (decision, feature or source): one dimension is enough.
        if (tags.Length == 0)
        {
            Client.GetMetric(instrument.Name).TrackValue(value);
            return;
        }

        var tag = tags[0];
        Client.GetMetric(instrument.Name, tag.Key).TrackValue(value, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
    }
}
