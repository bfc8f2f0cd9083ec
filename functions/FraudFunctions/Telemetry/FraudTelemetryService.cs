using Fraud.Monitoring.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace FraudFunctions.Telemetry;

/// <summary>
/// Starts the exporters the settings ask for and stops them (flushing) at shutdown. Observable instruments
/// such as the model age are read every <see cref="ObserveInterval"/> for Application Insights; OTLP reads them
/// itself on its export interval.
/// </summary>
public sealed class FraudTelemetryService(FraudMetrics metrics, TelemetrySettings settings, ILogger<FraudTelemetryService> logger) : BackgroundService
{
    private static readonly TimeSpan ObserveInterval = TimeSpan.FromSeconds(60);

    private ApplicationInsightsForwarder? _applicationInsights;
    private MeterProvider? _otlp;

    /// <summary>True when metrics go to Application Insights.</summary>
    public bool ApplicationInsightsEnabled => _applicationInsights is not null;

    /// <summary>True when metrics go to an OTLP endpoint.</summary>
    public bool OtlpEnabled => _otlp is not null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.ApplicationInsightsConnectionString is { } connection)
        {
            _applicationInsights = new ApplicationInsightsForwarder(metrics, connection, settings.Authentication);
        }

        if (settings.OtlpEndpoint is { } endpoint)
        {
            _otlp = Sdk.CreateMeterProviderBuilder()
                .AddMeter(FraudMetrics.MeterName)
                .AddOtlpExporter(options =>
                {
                    options.Protocol = settings.OtlpHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    // Set in code, the endpoint is used as given; over HTTP the signal path must be on it.
                    options.Endpoint = settings.OtlpHttp && !endpoint.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal)
                        ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/metrics")
                        : endpoint;
                })
                .Build();
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            var authentication = settings.Authentication is null ? "connection string" : "Entra ID";
            var destinations = (_applicationInsights is null ? "" : $"Application Insights ({authentication}) ") + (_otlp is null ? "" : "OTLP ");
            logger.LogInformation("Telemetry for meter {Meter}: {Destinations}", FraudMetrics.MeterName, destinations.Length == 0 ? "dotnet-counters only" : destinations.Trim());
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_applicationInsights is not null)
        {
            _applicationInsights.Observe();
            await _applicationInsights.FlushAsync(cancellationToken);
            _applicationInsights.Dispose();
            _applicationInsights = null;
        }

        _otlp?.ForceFlush(5000);
        _otlp?.Dispose();
        _otlp = null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_applicationInsights is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(ObserveInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            _applicationInsights?.Observe();
        }
    }
}
