using System.Diagnostics;
using System.Text;
using Fraud.Registry.Serving;
using Fraud.Registry.Storage;
using Fraud.Registry.Tests.Storage;
using Fraud.Testing;

namespace Fraud.Registry.Tests.Serving;

public sealed class ChampionProviderTests : IDisposable
{
    private static readonly TimeSpan FastPoll = TimeSpan.FromMilliseconds(50);
    private readonly TempDirectory _folder = new("fraud-provider");
    private readonly OutageStore _store;
    private readonly ModelRegistry _registry;

    public ChampionProviderTests()
    {
        _store = new OutageStore(new FileBlobStore(_folder.Path));
        _registry = new ModelRegistry(_store, "provider-test");
    }

    [Fact]
    public async Task LoadsTheChampionAtStart()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));

        await provider.StartAsync();

        Assert.Equal("1", provider.Current!.Version);
        Assert.Equal(TestModels.A.Model.ModelId, provider.Current.Model.ModelId);
        Assert.Equal(ProviderState.Healthy, provider.Status.State);
        Assert.NotNull(provider.Status.LastCheck);
    }

    [Fact]
    public async Task DisposingTwiceIsHarmless()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        var provider = new ChampionProvider(_registry, FastPoll);
        await provider.StartAsync();

        await provider.DisposeAsync();
        var second = await Record.ExceptionAsync(async () => await provider.DisposeAsync());

        Assert.Null(second);
    }

    [Fact]
    public async Task WithoutAChampionItReportsSoAndServesOnceOneIsRegistered()
    {
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));
        await provider.StartAsync();
        Assert.Null(provider.Current);
        Assert.Equal(ProviderState.NoChampion, provider.Status.State);
        Assert.False(provider.Status.CanServe);

        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        var changed = await provider.RefreshAsync();

        Assert.True(changed);
        Assert.Equal("1", provider.Current!.Version);
        Assert.Equal(ProviderState.Healthy, provider.Status.State);
    }

    [Fact]
    public async Task APromotionReachesTheRunningProviderByPolling()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await _registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, FastPoll);
        // The event is raised on the polling thread just after Current changes, so wait for both.
        var changes = new System.Collections.Concurrent.ConcurrentQueue<string>();
        provider.ModelChanged += m => changes.Enqueue(m.Version);
        await provider.StartAsync();

        await _registry.PromoteAsync("2", ModelAliases.Champion, "better");
        var clock = Stopwatch.StartNew();
        await WaitUntil(() => provider.Current?.Version == "2" && !changes.IsEmpty, TimeSpan.FromSeconds(20));

        Assert.Equal(TestModels.B.Model.ModelId, provider.Current!.Model.ModelId);
        Assert.Equal(["2"], changes.ToArray());
        Console.WriteLine($"[swap] file store, poll {FastPoll.TotalMilliseconds} ms: promotion reached the provider in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task AnUnchangedAliasCostsNoReloadAndStaysHealthy()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));
        await provider.StartAsync();
        var first = provider.Current;

        var changed = await provider.RefreshAsync();

        Assert.False(changed);
        Assert.Same(first, provider.Current);
        Assert.Equal(ProviderState.Healthy, provider.Status.State);
    }

    [Fact]
    public async Task KeepsServingTheLastGoodModelWhileTheStoreIsDownAndRecoversAfter()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await _registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));
        var failures = 0;
        provider.ReloadFailed += _ => Interlocked.Increment(ref failures);
        await provider.StartAsync();

        _store.Down = true;
        await provider.RefreshAsync();
        await provider.RefreshAsync();

        Assert.Equal("1", provider.Current!.Version);
        Assert.Equal(ProviderState.Degraded, provider.Status.State);
        Assert.True(provider.Status.CanServe);
        Assert.Equal(2, provider.Status.ConsecutiveFailures);
        Assert.Contains("unreachable", provider.Status.LastError, StringComparison.Ordinal);
        Assert.NotNull(provider.Status.LastErrorAt);
        Assert.Equal(2, failures);

        _store.Down = false;
        await _registry.PromoteAsync("2", ModelAliases.Champion, "after the outage");
        await provider.RefreshAsync();

        Assert.Equal("2", provider.Current.Version);
        Assert.Equal(ProviderState.Healthy, provider.Status.State);
        Assert.Null(provider.Status.LastError);
    }

    [Fact]
    public async Task StartingWhileTheStoreIsDownReportsDegradedWithoutThrowing()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        _store.Down = true;
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));

        await provider.StartAsync();

        Assert.Null(provider.Current);
        Assert.Equal(ProviderState.Degraded, provider.Status.State);
        _store.Down = false;
        await provider.RefreshAsync();
        Assert.Equal("1", provider.Current!.Version);
    }

    [Fact]
    public async Task AnInvalidNewChampionIsRefusedAndTheLastGoodModelKeepsServing()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await _registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));
        await provider.StartAsync();
        // Version 2's artifact is damaged after registration (a bad copy, a partial upload by hand).
        await _store.PutAsync(Containers.Models, _registry.VersionBlobName("2", "model.json"), Encoding.UTF8.GetBytes("{\"schema_version\": 1"));

        await _registry.PromoteAsync("2", ModelAliases.Champion, "looked better");
        var changed = await provider.RefreshAsync();

        Assert.False(changed);
        Assert.Equal("1", provider.Current!.Version);
        Assert.Equal(ProviderState.Degraded, provider.Status.State);
        Assert.Contains("SHA-256", provider.Status.LastError, StringComparison.Ordinal);

        await _registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await _registry.PromoteAsync("3", ModelAliases.Champion, "re-registered");
        await provider.RefreshAsync();

        Assert.Equal("3", provider.Current.Version);
        Assert.Equal(ProviderState.Healthy, provider.Status.State);
    }

    [Fact]
    public async Task RequestsInFlightNeverFailWhileTheChampionSwapsRepeatedly()
    {
        await _registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await _registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await using var provider = new ChampionProvider(_registry, TimeSpan.FromMinutes(5));
        await provider.StartAsync();
        using var stop = new CancellationTokenSource();
        var scored = 0L;
        var versionsSeen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();

        var scorers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            var i = t;
            while (!stop.IsCancellationRequested)
            {
                // A request reads the snapshot once and uses it to the end, whatever happens to the alias meanwhile.
                var serving = provider.Current!;
                var result = serving.Model.Score(TestModels.Baskets[i++ % TestModels.Baskets.Count], explain: true);
                Assert.InRange(result.FraudProbability, 0, 1);
                versionsSeen[serving.Version] = true;
                Interlocked.Increment(ref scored);
            }
        })).ToArray();

        // Swap only while scorers are really running: on a busy machine the pool may start them late.
        await WaitUntil(() => Interlocked.Read(ref scored) > 0, TimeSpan.FromSeconds(30));
        for (var swap = 0; swap < 6; swap++)
        {
            var target = provider.Current!.Version == "1" ? "2" : "1";
            await _registry.PromoteAsync(target, ModelAliases.Champion, $"swap {swap}");
            Assert.True(await provider.RefreshAsync());
            var before = Interlocked.Read(ref scored);
            await WaitUntil(() => Interlocked.Read(ref scored) > before, TimeSpan.FromSeconds(30));
        }

        await stop.CancelAsync();
        await Task.WhenAll(scorers);

        Assert.True(Interlocked.Read(ref scored) > 0);
        Assert.Equal(["1", "2"], versionsSeen.Keys.Order());
    }

    public void Dispose() => _folder.Dispose();

    internal static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5);
        }
    }
}

/// <summary>The swap against a real Azurite: a promotion made through one client reaches a provider polling through another.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class AzuriteChampionProviderTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task APromotionReachesTheRunningProviderThroughAzurite()
    {
        var name = "swap-" + Guid.NewGuid().ToString("N")[..8];
        var operatorRegistry = new ModelRegistry(AzuriteBlobStoreContractTests.Open(azurite.ConnectionString), name);
        await operatorRegistry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await operatorRegistry.RegisterAsync(TestModels.B, new RegistrationInfo());
        var servingRegistry = new ModelRegistry(AzuriteBlobStoreContractTests.Open(azurite.ConnectionString), name);
        var poll = TimeSpan.FromMilliseconds(100);
        await using var provider = new ChampionProvider(servingRegistry, poll);
        await provider.StartAsync();

        await operatorRegistry.PromoteAsync("2", ModelAliases.Champion, "better");
        var clock = Stopwatch.StartNew();
        await ChampionProviderTests.WaitUntil(() => provider.Current?.Version == "2", TimeSpan.FromSeconds(20));

        Assert.Equal(ProviderState.Healthy, provider.Status.State);
        Console.WriteLine($"[swap] Azurite, poll {poll.TotalMilliseconds} ms: promotion reached the provider in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }
}
