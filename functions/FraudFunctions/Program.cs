using FraudFunctions.Batches;
using FraudFunctions.Hosting;
using FraudFunctions.Http;
using FraudFunctions.Labels;
using FraudFunctions.OpenApi;
using FraudFunctions.Scoring;
using FraudFunctions.Status;

try
{
    // Settings (appsettings.json) come from the application's own folder, wherever it is started from.
    var builder = WebApplication.CreateSlimBuilder(HandlerHosting.Options(args));

    // Where to listen: loopback on FUNCTIONS_CUSTOMHANDLER_PORT under the host, http://127.0.0.1:7071 standalone.
    builder.ConfigureHandlerHosting();

    // Options, JSON source generation, ProblemDetails, OpenAPI, and the store, model, log and monitoring services.
    builder.Services.AddFraudHandler(builder.Configuration);

    var app = builder.Build();

    // A port already taken is one line and exit code 1 (skipped under test servers, which never get here).
    StartupErrors.EnsureAddressesFree(app.Services.GetRequiredService<HandlerMode>());

    // Every error status without a body (404, 405, 415) becomes ProblemDetails; unexpected exceptions become a 500 without details.
    app.UseExceptionHandler();
    app.UseStatusCodePages();

    // Inside the exception handler: broken HTTP framing and stalled bodies are the client's fault, 400/408 and one log line.
    app.UseClientErrors();

    // The test page's scripts and styles.
    app.UseTestPageFiles();

    // GET /: the host's readiness ping, or the test page in a browser.
    app.MapTestPage();

    // /openapi/v1.json describing every HTTP function.
    app.MapOpenApi();

    // GET /api/health is anonymous (status only), like its function.json.
    app.MapHealth();

    // Everything else under /api needs the API key in standalone mode when one is configured.
    var api = app.MapGroup("/api").RequireKey().WithTags("Scoring");
    api.MapScoring();
    api.MapLabels();
    api.MapStatus();

    // POST /ProcessBatch and POST /MonitorModel: the host's envelope for the Service Bus and timer triggers (key-guarded standalone).
    app.MapHostFunctions();

    app.Run();
    return 0;
}
catch (Exception ex) when (StartupErrors.Describe(ex) is { } line)
{
    // A busy port or a refused setting is one line and exit code 1, not a stack trace and an abort.
    Console.Error.WriteLine(line);
    return 1;
}

/// <summary>Entry point type, public so that tests can host the app.</summary>
public partial class Program;
