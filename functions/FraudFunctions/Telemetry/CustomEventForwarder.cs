using System.Collections;
using Fraud.Monitoring.Telemetry;

namespace FraudFunctions.Telemetry;

/// <summary>
/// Turns every <see cref="FraudMetrics.EventRaised"/> event into a log record carrying the attribute
/// <c>microsoft.custom_event.name</c>, which the Azure Monitor exporter sends as a custom event (AppEvents, Name =
/// the event name, the other attributes in Properties) and OTLP carries as an ordinary log record. Properties are
/// the event's own (versions, features, reasons): never basket contents.
/// </summary>
public sealed class CustomEventForwarder(FraudMetrics metrics, ILoggerFactory loggers) : IHostedService
{
    /// <summary>The log category of custom events.</summary>
    public const string Category = "Fraud.Events";

    /// <summary>The attribute the Azure Monitor exporter reads the custom event's name from.</summary>
    public const string CustomEventNameAttribute = "microsoft.custom_event.name";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.EventRaised += OnEvent;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        metrics.EventRaised -= OnEvent;
        return Task.CompletedTask;
    }

    private void OnEvent(string name, IReadOnlyDictionary<string, string> properties)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(1, name), new CustomEvent(name, properties), null, static (e, _) => e.ToString());
        }
    }

    // A structured log state: OpenTelemetry takes its key-value pairs as the record's attributes.
    private sealed class CustomEvent(string name, IReadOnlyDictionary<string, string> properties) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _attributes =
            [new(CustomEventNameAttribute, name), .. properties.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))];

        public int Count => _attributes.Length;

        public KeyValuePair<string, object?> this[int index] => _attributes[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_attributes).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"Custom event {name}";
    }
}
