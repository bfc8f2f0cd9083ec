using Fraud.Monitoring.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FraudFunctions.Telemetry;

/// <summary>Wires the handler's metrics and events to wherever the settings point (docs/settings.md).</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the process-wide <see cref="FraudMetrics"/> (meter <c>Fraud.Scoring</c>) and its exporters:
    /// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (Entra authentication when
    /// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says <c>Authorization=AAD</c>), OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and nothing more otherwise (dotnet-counters still sees the meter).
    /// </summary>
    public static IServiceCollection AddFraudTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = TelemetrySettings.From(configuration);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(sp => new FraudMetrics(sp.GetService<TimeProvider>()));
        services.AddHostedService<FraudTelemetryService>();
        return services;
    }
}
