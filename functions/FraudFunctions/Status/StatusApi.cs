using FraudFunctions.Batches;
using FraudFunctions.Scoring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FraudFunctions.Status;

/// <summary>The health report: overall status is <c>healthy</c>, <c>degraded</c> (serving, but something needs attention) or <c>unavailable</c>.</summary>
public sealed record HealthReport(string Status, HealthModel Model, HealthStore Store, IReadOnlyList<string> Problems);

/// <summary>The served model's state.</summary>
public sealed record HealthModel(bool Loaded, string? Version, DateTimeOffset? LoadedAt, string State, string? LastError, DateTimeOffset? LastCheck);

/// <summary>The store's state.</summary>
public sealed record HealthStore(bool Reachable, string Description, string? Error, DateTimeOffset CheckedAt, double? LatencyMs);

/// <summary>
/// The anonymous health answer: the status only, plus what the service is doing while it starts (training the first
/// model). No store endpoint, model version or error text: those are in <see cref="HealthReport"/>, behind the key.
/// </summary>
public sealed record HealthStatus(string Status, string? Detail);

/// <summary>The test page's monitoring view: the last minute of scoring, the model and the last drift check.</summary>
public sealed record StatsResponse(StatsWindow Scoring, string? ModelVersion, MonitoringRunSummary? LastMonitoring, DateTimeOffset At);

/// <summary><c>GET /api/health</c>, <c>GET /api/model</c> and <c>GET /api/stats</c>.</summary>
public static class StatusApi
{
    public static RouteGroupBuilder MapStatus(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/model", GetModel)
            .WithName("GetModel")
            .WithSummary("The champion model's card")
            .WithDescription("Version, training date and size, metrics and decision thresholds of the model being served.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/health/details", GetHealthDetailsAsync)
            .WithName("HealthDetails")
            .WithTags("Status")
            .WithSummary("Service health with details")
            .WithDescription("The model's state and version, the store's endpoint and reachability, and the problems found; 503 while no model is loaded. Needs the key.")
            .Produces<HealthReport>()
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/stats", GetStatsAsync)
            .WithName("GetStats")
            .WithSummary("Scoring statistics of the last minute")
            .WithDescription("Request rate, flagged rate, latency percentiles, model version and the last monitoring result, for the test page.");
        return api;
    }

    /// <summary>
    /// Health is anonymous (function.json says so), so it is mapped outside the API-key group, and says no more than
    /// the status: anyone on the network may ask it.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/health", GetHealthAsync)
            .WithName("Health")
            .WithTags("Status")
            .WithSummary("Service health")
            .WithDescription("200 when a model is loaded (status healthy or degraded), 503 when none is (status unavailable, or starting while the first model trains). Details: /api/health/details.")
            .Produces<HealthStatus>()
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<JsonHttpResult<HealthStatus>> GetHealthAsync(IChampionSource champion, StoreProbe probe, HttpContext context)
    {
        var report = await BuildReportAsync(champion, probe, context.RequestAborted);
        var starting = report.Model.State == Composition.BootstrapProgress.TrainingState;
        var status = new HealthStatus(starting ? "starting" : report.Status, starting ? report.Model.LastError : null);
        return TypedResults.Json(status, Json.FunctionsJsonContext.Default.HealthStatus, statusCode: report.Model.Loaded ? 200 : 503);
    }

    internal static async Task<JsonHttpResult<HealthReport>> GetHealthDetailsAsync(IChampionSource champion, StoreProbe probe, HttpContext context)
    {
        var report = await BuildReportAsync(champion, probe, context.RequestAborted);
        return TypedResults.Json(report, Json.FunctionsJsonContext.Default.HealthReport, statusCode: report.Model.Loaded ? 200 : 503);
    }

    private static async Task<HealthReport> BuildReportAsync(IChampionSource champion, StoreProbe probe, CancellationToken ct)
    {
        var model = champion.Current;
        var status = champion.Status;
        var store = await probe.CheckAsync(ct);
        var problems = new List<string>();
        if (model is null)
        {
            problems.Add("No model is loaded.");
        }

        if (!store.Reachable)
        {
            problems.Add($"The store is not reachable ({store.Error}).");
        }

        if (model is not null && status.LastError is not null)
        {
            problems.Add($"The last model refresh failed ({status.LastError}); serving {model.Version}.");
        }

        var overall = model is null ? "unavailable" : problems.Count > 0 ? "degraded" : "healthy";
        return new HealthReport(
            overall,
            new HealthModel(model is not null, model?.Version, model?.LoadedAt, status.State, status.LastError, status.LastCheck),
            new HealthStore(store.Reachable, probe.Description, store.Error, store.CheckedAt, store.LatencyMs),
            problems);
    }

    internal static Results<Ok<ModelSummary>, ProblemHttpResult> GetModel(IChampionSource champion)
    {
        var model = champion.Current;
        return model is null ? Http.Problems.NoModel(champion.Status.LastError) : TypedResults.Ok(model.Summary);
    }

    internal static async Task<Ok<StatsResponse>> GetStatsAsync(RequestStats stats, IChampionSource champion, IMonitoringRunner monitoring, TimeProvider time, HttpContext context) =>
        TypedResults.Ok(new StatsResponse(stats.Snapshot(), champion.Current?.Version, await monitoring.GetLastAsync(context.RequestAborted), time.GetUtcNow()));
}
