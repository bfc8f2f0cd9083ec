using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.Testing;
using Json.Schema;

namespace FraudFunctions.Tests;

/// <summary>
/// <c>/openapi/v1.json</c> as a client generator or a partner reads it (issue 19, item 10): fetched from the handler
/// running as a real process, checked against that handler's real answers, and linted by the pinned Redocly CLI.
/// </summary>
[Collection(HandlerTests.Name)]
public sealed class OpenApiDocumentTests : IAsyncLifetime, IDisposable
{
    private const string Key = "openapi-test-key";

    private readonly TrainedStore _trained;
    private readonly TempDirectory _folder = new("fraud-openapi");
    private HandlerProcess? _handler;
    private HttpClient? _http;
    private JsonObject _document = [];

    public OpenApiDocumentTests(TrainedStore trained) => _trained = trained;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        _handler = HandlerProcess.Start(_folder.Path, LoopbackPort.Free(), ("FraudStorage", _trained.Copy()), ("Fraud__ApiKey", Key));
        Assert.True(await _handler.WaitReadyAsync(TimeSpan.FromSeconds(60)), _handler.Describe());
        _http = new HttpClient { BaseAddress = _handler.BaseAddress };
        for (var i = 0; i < 300; i++)
        {
            using var health = await Http.GetAsync(new Uri("/api/health", UriKind.Relative));
            if (health.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(100);
        }

        _document = JsonNode.Parse(await Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _http?.Dispose();
        _handler?.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task LintsWithoutAnyErrorOrWarningUnderRedoclysRecommendedRules()
    {
        var path = Path.Combine(_folder.Path, "openapi.json");
        await File.WriteAllTextAsync(path, _document.ToJsonString());

        var (exitCode, stdout, stderr) = await RedoclyLintAsync(path);

        var totals = JsonNode.Parse(stdout)?["totals"];
        Assert.True(totals is not null, $"redocly printed no result (exit {exitCode}): {stderr}");
        var problems = string.Join(Environment.NewLine, JsonNode.Parse(stdout)!["problems"]!.AsArray()
            .Select(p => $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}"));
        Assert.True((int)totals["errors"]! == 0 && (int)totals["warnings"]! == 0, problems);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void DocumentsHealthsTwoAnswersExplainNumbersAndTheKey()
    {
        var paths = _document["paths"]!;
        var health = paths["/api/health"]!["get"]!;
        Assert.NotNull(health["responses"]!["200"]);
        Assert.NotNull(health["responses"]!["503"]);

        var score = paths["/api/score"]!["post"]!;
        var explain = Assert.Single(score["parameters"]!.AsArray(), p => (string?)p!["name"] == "explain")!;
        Assert.Equal("query", (string?)explain["in"]);
        Assert.Equal("boolean", (string?)explain["schema"]!["type"]);

        var item = Schema("BasketItem");
        Assert.Equal("number", (string?)item["properties"]!["cashPrice"]!["type"]);
        Assert.Equal("integer", (string?)item["properties"]!["quantity"]!["type"]);

        var schemes = _document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("x-functions-key", (string?)schemes["functionKey"]!["name"]);
        foreach (var (path, item2) in paths.AsObject())
        {
            foreach (var (method, operation) in item2!.AsObject())
            {
                var security = operation!["security"]!.AsArray();
                if (path == "/api/health")
                {
                    Assert.Empty(Assert.Single(security)!.AsObject());
                }
                else
                {
                    Assert.Contains(security, r => r!.AsObject().ContainsKey("functionKey"));
                    Assert.NotNull(operation["responses"]!["401"]);
                }
            }
        }

        Assert.All(_document["servers"]!.AsArray(), s => Assert.False(((string)s!["url"]!).EndsWith('/'), (string?)s["url"]));
    }

    [Fact]
    public async Task MarksRequiredExactlyTheFieldsTheHandlerRefusesToGoWithout()
    {
        var basket = JsonNode.Parse(Samples.Basket("openapi-required"))!.AsObject();
        var label = new JsonObject { ["id"] = "openapi-required", ["fraudFlag"] = true, ["source"] = "chargeback", ["observedAt"] = "2026-11-20T09:30:00Z" };
        var cases = new (string Schema, string Uri, Func<string, (JsonNode Body, string Field)> Without)[]
        {
            ("Basket", "/api/score", name => (Remove(basket, name), name)),
            ("BasketItem", "/api/score", name => (RemoveInItem(basket, name), $"items[0].{name}")),
            ("Label", "/api/labels", name => (new JsonArray(Remove(label, name)), $"[0].{name}")),
        };

        foreach (var (schemaName, uri, without) in cases)
        {
            var schema = Schema(schemaName);
            var required = schema["required"]!.AsArray().Select(n => (string)n!).ToHashSet();
            Assert.NotEmpty(required);
            foreach (var (name, _) in schema["properties"]!.AsObject())
            {
                var (body, field) = without(name);
                using var response = await PostAsync(uri, body.ToJsonString());
                var text = await response.Content.ReadAsStringAsync();
                if (required.Contains(name))
                {
                    Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{schemaName}.{name} is required in the document, but leaving it out gave {response.StatusCode}: {text}");
                    Assert.Contains(field, text, StringComparison.Ordinal);
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"{schemaName}.{name} is optional in the document, but leaving it out gave {response.StatusCode}: {text}");
                }
            }

            // additionalProperties: false, as the handler refuses a field the contract does not know.
            Assert.False((bool)schema["additionalProperties"]!);
        }
    }

    [Fact]
    public async Task EveryRealAnswerMatchesTheDocumentedSchemaOfItsStatus()
    {
        var basket = Samples.Basket("openapi-1");
        var answers = new List<(string Path, string Method, HttpResponseMessage Response)>
        {
            ("/api/score", "post", await PostAsync("/api/score", basket)),
            ("/api/score", "post", await PostAsync("/api/score?explain=false", basket)),
            ("/api/score", "post", await PostAsync("/api/score?explain=maybe", basket)),
            ("/api/score", "post", await PostAsync("/api/score", """{"id":"x","items":[{"item":"Phones","price":10,"quantity":1}]}""")),
            ("/api/score", "post", await PostAsync("/api/score", basket, "text/plain")),
            ("/api/score", "post", await PostAsync("/api/score", basket, key: null)),
            ("/api/score/batch", "post", await PostAsync("/api/score/batch", $$"""{"baskets":[{{basket}},{{Samples.Basket("openapi-2", items: 1)}}]}""")),
            ("/api/labels", "post", await PostAsync("/api/labels", """[{"id":"openapi-1","fraudFlag":false,"source":"manual-review","observedAt":"2026-11-20T09:30:00Z"}]""")),
            ("/api/labels", "post", await PostAsync("/api/labels", """[{"id":"openapi-1","fraudFlag":false,"source":"manual-review","observedAt":"2026-11-20T09:30:00"}]""")),
            ("/api/health", "get", await GetAsync("/api/health", key: null)),
            ("/api/health/details", "get", await GetAsync("/api/health/details")),
            ("/api/model", "get", await GetAsync("/api/model")),
            ("/api/stats", "get", await GetAsync("/api/stats")),
        };

        var statuses = new HashSet<int>();
        foreach (var (path, method, response) in answers)
        {
            using (response)
            {
                var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                statuses.Add((int)response.StatusCode);
                var documented = _document["paths"]![path]![method]!["responses"]![status];
                Assert.True(documented is not null, $"{method} {path} answered {status}, which the document does not list");
                var mediaType = response.Content.Headers.ContentType!.MediaType!;
                var schema = documented!["content"]?[mediaType]?["schema"];
                Assert.True(schema is not null, $"{method} {path} {status}: the document has no schema for {mediaType}");
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
                var result = Compile(schema!).Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List });
                Assert.True(result.IsValid, $"{method} {path} {status} does not match its schema: {Describe(result)}\n{body}");
            }
        }

        // The answers above cover success, validation, media type and key failures.
        Assert.Superset(new HashSet<int> { 200, 400, 401, 415 }, statuses);
    }

    private JsonObject Schema(string name) => _document["components"]!["schemas"]![name]!.AsObject();

    /// <summary>A JSON Schema 2020-12 document for one OpenAPI schema, with the document's components as <c>$defs</c>.</summary>
    private JsonSchema Compile(JsonNode schema)
    {
        var defs = _document["components"]!["schemas"]!.ToJsonString();
        var text = $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{defs}},"allOf":[{{schema.ToJsonString()}}]}""";
        return JsonSchema.FromText(text.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
    }

    private static string Describe(EvaluationResults result) => string.Join("; ", result.Details
        .Where(d => d.Errors is { Count: > 0 })
        .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private Task<HttpResponseMessage> PostAsync(string uri, string body, string contentType = "application/json", string? key = Key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        return SendAsync(request, key);
    }

    private Task<HttpResponseMessage> GetAsync(string uri, string? key = Key) => SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), key);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? key)
    {
        using (request)
        {
            if (key is not null)
            {
                request.Headers.Add("x-api-key", key);
            }

            return await Http.SendAsync(request);
        }
    }

    private static JsonObject Remove(JsonObject source, string name)
    {
        var copy = source.DeepClone().AsObject();
        Assert.True(copy.Remove(name), $"the sample has no {name}");
        return copy;
    }

    private static JsonObject RemoveInItem(JsonObject basket, string name)
    {
        var copy = basket.DeepClone().AsObject();
        Assert.True(copy["items"]![0]!.AsObject().Remove(name), $"the sample item has no {name}");
        return copy;
    }

    /// <summary>The Redocly CLI pinned in tests/redocly (installed by <c>npm ci</c> on first use), with tests/redocly/redocly.yaml.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RedoclyLintAsync(string document)
    {
        var folder = RepositoryPaths.Combine("tests", "redocly");
        var cli = Path.Combine(folder, "node_modules", "@redocly", "cli", "bin", "cli.js");
        NpmFolder.EnsureInstalled(folder, cli, "the Redocly CLI");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "lint", document, "--config", Path.Combine(folder, "redocly.yaml"), "--format", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing leaves this machine: no usage data, no update check.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
