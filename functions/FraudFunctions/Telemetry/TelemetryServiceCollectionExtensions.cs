using Azure.Monitor.OpenTelemetry.AspNetCore;
using Fraud.Monitoring.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FraudFunctions.Telemetry;

/// <summary>Wires the handler's traces, metrics, logs and custom events to wherever the settings point (docs/settings.md).</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The service name on every exported item (Application Insights' cloud role name).</summary>
    public const string ServiceName = "FraudFunctions";

    /// <summary>
    /// Registers the process-wide <see cref="FraudMetrics"/> (meter <c>Fraud.Scoring</c>, always visible to dotnet-counters),
    /// the custom-event forwarder, and one OpenTelemetry pipeline with the exporters the settings ask for:
    /// the Azure Monitor distro when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (it throws at start-up
    /// without one, so it is registered only then; Entra ID when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>
    /// says <c>Authorization=AAD</c>), OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. With neither, no
    /// OpenTelemetry SDK is registered at all: nothing is exported and nothing can fail.
    /// </summary>
    public static IServiceCollection AddFraudTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = TelemetrySettings.From(configuration);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(sp => new FraudMetrics(sp.GetService<TimeProvider>()));
        services.AddHostedService<CustomEventForwarder>();
        if (settings.ApplicationInsightsConnectionString is null && settings.OtlpEndpoint is null)
        {
            return services;
        }

        // Custom events are Information log records; the category must reach the OpenTelemetry logger whatever
        // the configured default level.
        services.AddLogging(logging => logging.AddFilter<OpenTelemetryLoggerProvider>(CustomEventForwarder.Category, LogLevel.Information));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics.AddMeter(FraudMetrics.MeterName));

        if (settings.ApplicationInsightsConnectionString is { } connectionString)
        {
            // The distro brings ASP.NET Core requests, HttpClient and Azure SDK calls (the Blob store) as traces, logs, and
            // its exporter. Its exporters batch on background threads: a request only enqueues, never waits on ingestion.
            telemetry.UseAzureMonitor(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = settings.Authentication?.CreateCredential();
                // Head sampling decides before the outcome is known, so any rate below 1 could drop a failed request:
                // keep every trace (docs/monitoring.md: volume and cost).
                options.SamplingRatio = 1.0F;
                options.TracesPerSecond = null;
                options.EnableTraceBasedLogsSampler = false;
                // Live Metrics holds a second connection per instance to the live endpoint; the workbook and alerts do not need it.
                options.EnableLiveMetrics = false;
            });
        }
        else
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation()).WithLogging();
        }

        if (settings.OtlpEndpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(settings.OtlpHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, endpoint);
        }

        return services;
    }
}
