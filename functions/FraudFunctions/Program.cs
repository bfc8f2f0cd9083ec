using FraudFunctions.Batches;
using FraudFunctions.Hosting;
using FraudFunctions.Labels;
using FraudFunctions.Scoring;
using FraudFunctions.Status;

var builder = WebApplication.CreateSlimBuilder(args);

// Where to listen: loopback on FUNCTIONS_CUSTOMHANDLER_PORT under the host, http://127.0.0.1:7071 standalone.
builder.ConfigureHandlerHosting();

// Options, JSON source generation, ProblemDetails, OpenAPI, and the store, model, log and monitoring services.
builder.Services.AddFraudHandler(builder.Configuration);

var app = builder.Build();

// Every error status without a body (404, 405, 415) becomes ProblemDetails; unexpected exceptions become a 500 without details.
app.UseExceptionHandler();
app.UseStatusCodePages();

// The test page's scripts and styles.
app.UseTestPageFiles();

// GET /: the host's readiness ping, or the test page in a browser.
app.MapTestPage();

// /openapi/v1.json describing every HTTP function.
app.MapOpenApi();

// GET /api/health is anonymous, like its function.json.
app.MapHealth();

// Everything else under /api needs the API key in standalone mode when one is configured.
var api = app.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>().WithTags("Scoring");
api.MapScoring();
api.MapLabels();
api.MapStatus();

// POST /ProcessBatch and POST /MonitorModel: the host's envelope for the Service Bus and timer triggers.
app.MapHostFunctions();

app.Run();

/// <summary>Entry point type, public so that tests can host the app.</summary>
public partial class Program;
