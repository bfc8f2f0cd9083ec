using Fraud.Monitoring;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Serving;
using Fraud.Registry.Storage;
using FraudFunctions.Composition;
using FraudFunctions.Json;
using FraudFunctions.Labels;
using FraudFunctions.OpenApi;
using FraudFunctions.Scoring;
using FraudFunctions.Status;
using FraudFunctions.Telemetry;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FraudFunctions.Hosting;

/// <summary>Composition of the handler: hosting, serialisation, errors, OpenAPI and the app's services.</summary>
public static class HandlerHosting
{
    /// <summary>
    /// The builder's options: the content root is the application's own folder (where appsettings.json is), so settings
    /// load whether it runs from the build output, the publish folder under the host, or with the repository root as
    /// the working directory (README command 1). An explicit content root (a test host, --contentRoot) still wins.
    /// </summary>
    public static WebApplicationOptions Options(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var explicitRoot = args.Any(a => a.Contains("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return new WebApplicationOptions { Args = args, ContentRootPath = explicitRoot ? null : AppContext.BaseDirectory };
    }

    /// <summary>Binds Kestrel per <see cref="HandlerMode"/> and sets the server-wide limits.</summary>
    public static WebApplicationBuilder ConfigureHandlerHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var mode = HandlerMode.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(mode);
        builder.WebHost.UseUrls([.. mode.Urls.Select(u => u.GetLeftPart(UriPartial.Authority))]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Endpoints lower this per request; the server-wide ceiling fits a 10,000-basket envelope.
            kestrel.Limits.MaxRequestBodySize = Batches.FunctionsApi.MaxEnvelopeBytes;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>Registers everything the endpoints need.</summary>
    public static IServiceCollection AddFraudHandler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FraudOptions>().BindConfiguration(FraudOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<JsonOptions>(o =>
        {
            // The context supplies metadata only; options such as null handling belong to the serializer options.
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, FunctionsJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;

            // Numbers are numbers, as the request validator and FunctionsJsonContext have them; the web default also
            // reads "12" as 12, which the OpenAPI generator then documents as number-or-string.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Http.Problems.Explain);
        services.AddOpenApi(o =>
        {
            // Request bodies, query flags and keys from the contract first, then the examples that go with them.
            o.AddOperationTransformer<ContractDocument>();
            o.AddOperationTransformer<OpenApiExamples>();
            o.AddDocumentTransformer<ContractDocument>();
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RequestStats>();
        services.AddSingleton<ScoringTelemetry>();
        services.AddSingleton<StoreProbe>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddSingleton<Http.EnvelopeGate>();
        services.AddSingleton<Batches.BatchProcessor>();

        // The store (docs/settings.md: FraudStorage, a folder, a connection string or an identity-based endpoint).
        services.AddSingleton(_ => BlobStoreFactory.FromConfiguration(configuration));
        services.AddSingleton(sp => new ModelRegistry(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<IOptions<FraudOptions>>().Value.ModelName));

        // Metrics and their exporters (owned by the monitoring engineer, under Telemetry/).
        services.AddFraudTelemetry(configuration);

        // Standalone with an empty store, a first champion trains in the background once the server listens.
        services.AddSingleton<BootstrapProgress>();
        services.AddSingleton<ChampionBootstrapper>();
        services.AddHostedService(sp => sp.GetRequiredService<ChampionBootstrapper>());
        services.AddSingleton(sp => new ChampionProvider(
            sp.GetRequiredService<ModelRegistry>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<FraudOptions>>().Value.ModelPollSeconds),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ChampionProvider>()));
        services.AddSingleton<RegistryChampionSource>();
        services.AddSingleton<IChampionSource>(sp => sp.GetRequiredService<RegistryChampionSource>());
        services.AddHostedService(sp => sp.GetRequiredService<RegistryChampionSource>());

        // Every scored basket goes to the prediction log; labels to the label store.
        services.AddSingleton<IPredictionLog>(sp => new BufferedPredictionLog(
            sp.GetRequiredService<IBlobStore>(),
            PredictionLogSpill.Options(sp.GetRequiredService<IBlobStore>(), configuration),
            sp.GetRequiredService<FraudMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<BufferedPredictionLog>()));
        services.AddSingleton<IPredictionSink, PredictionLogSink>();
        services.AddHostedService<PredictionLogFlusher>();

        // After a burst, once idle, the GC's free memory goes back to the instance (Fraud__IdleTrimSeconds).
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryTrimmer>());
        services.AddSingleton(sp => new LabelStore(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ScoredBasketIndex(sp.GetRequiredService<IBlobStore>()));
        services.AddSingleton<ILabelSink, LabelStoreSink>();

        // The MonitorModel timer runs the monitoring job (drift, retraining, promotion gate).
        services.AddSingleton(sp => new RunTracker(sp.GetRequiredService<IBlobStore>()));
        services.AddSingleton(sp => new MonitoringJob(
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<RunTracker>(),
            sp.GetRequiredService<FraudMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<MonitoringJob>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Batches.IMonitoringRunner, MonitoringJobRunner>();
        return services;
    }
}
