using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using FraudFunctions.Composition;
using FraudFunctions.Scoring;
using Microsoft.Extensions.DependencyInjection;

namespace FraudFunctions.Tests;

/// <summary>
/// The request contract as a partner meets it: required fields are required, optional fields are optional everywhere,
/// nothing unknown or repeated is silently taken, and every refusal names the field in the API's own words
/// (issue 19 items 1 and 11, issue 14 items 1 and 14).
/// </summary>
[Collection(HandlerTests.Name)]
public sealed class RequestContractTests(TrainedStore trained) : IDisposable
{
    private readonly HandlerFactory _factory = new(trained.Copy());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ScoresAndExplainsBasketsWhoseItemsLeaveOutEveryOptionalField()
    {
        // Items with only the required fields, with explicit nulls, and with empty strings: the reasons must still be built.
        var baskets = Enumerable.Range(0, 30).Select(i => (i % 3) switch
        {
            0 => $$"""{"id":"bare-{{i}}","items":[{"item":"Computers","cashPrice":{{900 + i * 37}},"quantity":{{1 + (i % 4)}}},{"item":"Warranty","cashPrice":99,"quantity":1}]}""",
            1 => $$"""{"id":"bare-{{i}}","items":[{"item":"Telephones","cashPrice":{{400 + i * 11}},"make":null,"model":null,"goodsCode":null,"quantity":{{1 + (i % 5)}}}]}""",
            _ => $$"""{"id":"bare-{{i}}","items":[{"item":"Computers","cashPrice":{{1200 + i}},"make":"","model":"","goodsCode":"","quantity":2},{"item":"Fulfilment charge","cashPrice":7,"quantity":1}]}""",
        }).ToList();

        using var client = _factory.CreateClient();
        using var batch = await client.PostAsync(new Uri("/api/score/batch", UriKind.Relative), Samples.Json($$"""{"baskets":[{{string.Join(',', baskets)}}]}"""));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var results = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        Assert.Equal(30, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.True(r.GetProperty("reasons").GetArrayLength() > 0));

        foreach (var basket in baskets)
        {
            using var single = await client.PostAsync(new Uri("/api/score", UriKind.Relative), Samples.Json(basket));
            Assert.Equal(HttpStatusCode.OK, single.StatusCode);
            var body = await single.Content.ReadFromJsonAsync<JsonElement>();
            Assert.DoesNotContain(body.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("description").GetString()!.Contains("Infinity", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ABatchThatFailsPartWayRecordsNoPrediction()
    {
        var sink = new CountingSink();
        using var factory = new HandlerFactory(trained.Copy())
        {
            ReplaceServices = services =>
            {
                services.AddSingleton<IPredictionSink>(sink);
                services.AddSingleton<IChampionSource>(sp => new FailingOn("boom", sp.GetRequiredService<RegistryChampionSource>()));
            },
        };
        using var client = factory.CreateClient();
        var body = $$"""{"baskets":[{{Samples.Basket("first")}},{{Samples.Basket("second")}},{{Samples.Basket("boom")}},{{Samples.Basket("fourth")}}]}""";

        using var failed = await client.PostAsync(new Uri("/api/score/batch", UriKind.Relative), Samples.Json(body));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(0, sink.Count);

        // The retry without the bad basket records each basket once.
        using var retried = await client.PostAsync(new Uri("/api/score/batch", UriKind.Relative), Samples.Json($$"""{"baskets":[{{Samples.Basket("first")}},{{Samples.Basket("second")}}]}"""));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2, sink.Count);
    }

    [Fact]
    public async Task RejectsABasketWithoutAPriceNamingTheField()
    {
        var problem = await PostProblemAsync("/api/score", """{"id":"no-price","items":[{"item":"Computers","make":"Apple","quantity":1}]}""");

        Assert.True(problem.GetProperty("errors").TryGetProperty("items[0].cashPrice", out var messages), problem.ToString());
        Assert.Contains("Required", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAMisspeltPriceInsteadOfScoringItAsZero()
    {
        var problem = await PostProblemAsync("/api/score", """{"id":"typo","items":[{"item":"Computers","price":1299,"make":"Apple","quantity":1}]}""");
        var errors = problem.GetProperty("errors");

        Assert.True(errors.TryGetProperty("items[0].price", out var unknown), problem.ToString());
        Assert.Contains("did you mean 'cashPrice'", unknown[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("items[0].cashPrice", out _));
    }

    [Fact]
    public async Task RejectsAnUnknownFieldAnywhereInABatch()
    {
        var problem = await PostProblemAsync("/api/score/batch", $$"""{"baskets":[{{Samples.Basket("a")}}],"priority":"high"}""");

        Assert.True(problem.GetProperty("errors").TryGetProperty("priority", out _), problem.ToString());
    }

    [Fact]
    public async Task RejectsAFieldSentTwice()
    {
        var problem = await PostProblemAsync("/api/score", """{"id":"a","id":"b","items":[{"item":"Computers","cashPrice":10,"cashPrice":99999,"quantity":1}]}""");
        var errors = problem.GetProperty("errors");

        Assert.True(errors.TryGetProperty("id", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("items[0].cashPrice", out var twice));
        Assert.Contains("more than once", twice[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsAPriceTimesQuantityNoBasketLineCanReach()
    {
        var problem = await PostProblemAsync("/api/score", """{"id":"huge","items":[{"item":"Computers","cashPrice":1e300,"quantity":2000000000}]}""");

        Assert.True(problem.GetProperty("errors").TryGetProperty("items[0].quantity", out _), problem.ToString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/jsonish")]
    [InlineData(null)]
    public async Task RefusesABodyThatIsNotDeclaredJsonWithA415SayingToSendJson(string? contentType)
    {
        using var client = _factory.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Samples.Basket("ct")));
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(new Uri("/api/score", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Content-Type: application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptsAStructuredJsonMediaType()
    {
        using var client = _factory.CreateClient();
        using var content = new StringContent(Samples.Basket("vendor"), Encoding.UTF8, new MediaTypeHeaderValue("application/vnd.partner+json"));
        using var response = await client.PostAsync(new Uri("/api/score", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("2026-11-20T09:30:00", "offset")]
    [InlineData("1970-01-01T00:00:00Z", "2000")]
    public async Task RejectsALabelTimeWithoutAnOffsetOrFromBeforeTheService(string observedAt, string expected)
    {
        var problem = await PostProblemAsync("/api/labels", $$"""[{"id":"a","fraudFlag":true,"source":"chargeback","observedAt":"{{observedAt}}"}]""");

        Assert.True(problem.GetProperty("errors").TryGetProperty("[0].observedAt", out var messages), problem.ToString());
        Assert.Contains(expected, messages[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"t","items":[{"item":"Computers","cashPrice":"1299","quantity":1}]}""", "items[0].cashPrice", "Expected a number, got a string")]
    [InlineData("""{"id":"t","items":[{"item":"Computers","cashPrice":1299,"quantity":1.5}]}""", "items[0].quantity", "whole number")]
    [InlineData("""{"id":"t","items":[""", "body", "not valid JSON")]
    [InlineData("""{"id":"t","items":[]} trailing""", "body", "not valid JSON")]
    [InlineData("""[1,2]""", "body", "Expected a basket")]
    [InlineData("", "body", "empty")]
    public async Task SpeaksTheApisLanguageInsteadOfTheParsers(string body, string field, string expected)
    {
        var problem = await PostProblemAsync("/api/score", body);
        var text = problem.ToString();

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), text);
        Assert.Contains(expected, messages[0].GetString(), StringComparison.Ordinal);
        foreach (var internals in new[] { "token", "reader", "System.", "JsonTokenType", "Path:", "could not be converted", "BytePosition" })
        {
            Assert.DoesNotContain(internals, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private async Task<JsonElement> PostProblemAsync(string path, string body)
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), Samples.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed class CountingSink : IPredictionSink
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Record(Basket basket, in BasketScore score, string modelVersion, string source) => Interlocked.Increment(ref _count);
    }

    /// <summary>The real champion, except that one basket id makes scoring throw.</summary>
    private sealed class FailingOn(string id, IChampionSource inner) : IChampionSource
    {
        public ChampionSnapshot? Current => inner.Current is { } current ? current with { Scorer = new Scorer(id, current.Scorer) } : null;

        public ChampionStatus Status => inner.Status;

        private sealed class Scorer(string id, IBasketScorer inner) : IBasketScorer
        {
            public BasketScore Score(Basket basket, bool explain) =>
                basket.Id == id ? throw new InvalidOperationException("scoring failed") : inner.Score(basket, explain);
        }
    }
}
