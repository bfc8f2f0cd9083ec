using FraudFunctions.Json;
using FraudFunctions.OpenApi;
using FraudFunctions.Status;
using Microsoft.AspNetCore.Http.Json;

namespace FraudFunctions.Hosting;

/// <summary>Composition of the handler: hosting, serialisation, errors, OpenAPI and the app's services.</summary>
public static class HandlerHosting
{
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
        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FunctionsJsonContext.Default));
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddOperationTransformer<OpenApiExamples>());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RequestStats>();
        services.AddSingleton<StoreProbe>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddSingleton<Batches.BatchProcessor>();
        return services;
    }
}
