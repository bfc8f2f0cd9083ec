using System.Net.Http.Json;
using System.Text.Json;

namespace FraudFunctions.Tests;

/// <summary>
/// A file store holding a champion that the handler trained itself on first start (the standalone bootstrap), made
/// once per test run; each test copies it so that tests never see each other's batches, labels or predictions.
/// </summary>
public sealed class TrainedStore : IDisposable
{
    /// <summary>Small enough to train in seconds, large enough for every split to hold frauds.</summary>
    public const int BootstrapRows = 6000;

    private readonly List<string> _copies = [];

    public TrainedStore()
    {
        Template = NewFolder();
        using var factory = new HandlerFactory(Template, ("Fraud:BootstrapTrainingRows", BootstrapRows.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var client = factory.CreateClient();

        // The first model trains in the background once the server listens; health says 503 "starting" until then.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var status = client.GetAsync(new Uri("/api/health", UriKind.Relative)).GetAwaiter().GetResult();
            var state = status.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult().GetProperty("status").GetString();
            if (state != "starting" || clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                break;
            }

            Thread.Sleep(200);
        }

        using var health = client.GetAsync(new Uri("/api/health/details", UriKind.Relative)).GetAwaiter().GetResult();
        var body = health.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult();
        BootstrapHealth = body.Clone();
        BootstrapStatus = (int)health.StatusCode;
    }

    /// <summary>The folder the bootstrap trained into (read-only for tests).</summary>
    public string Template { get; }

    /// <summary>What <c>GET /api/health/details</c> answered right after the bootstrap.</summary>
    public JsonElement BootstrapHealth { get; }

    public int BootstrapStatus { get; }

    /// <summary>A private copy of the trained store.</summary>
    public string Copy()
    {
        var target = NewFolder();
        foreach (var file in Directory.EnumerateFiles(Template, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(Template, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        lock (_copies)
        {
            _copies.Add(target);
        }

        return target;
    }

    public void Dispose()
    {
        foreach (var folder in _copies.Append(Template))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "fraud-functions-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}

[CollectionDefinition(Name)]
public sealed class HandlerTests : ICollectionFixture<TrainedStore>
{
    public const string Name = "handler";
}

/// <summary>
/// Tests that read what OpenTelemetry exports run alone, after every parallel collection: ASP.NET Core's request spans
/// reach every in-process tracer provider, and hosts of other collections starting and stopping at the same time made
/// the export test miss its own request span.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTests : ICollectionFixture<TrainedStore>
{
    public const string Name = "telemetry";
}
