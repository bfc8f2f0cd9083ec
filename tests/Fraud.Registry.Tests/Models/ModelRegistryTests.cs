using System.Text;
using Fraud.Model;
using Fraud.Registry.Storage;

namespace Fraud.Registry.Tests.Models;

/// <summary>The registry's behaviour, run on each store (file system, Azurite) by the subclasses.</summary>
public abstract class ModelRegistryTests
{
    private readonly string _modelName = "m-" + Guid.NewGuid().ToString("N")[..10];

    protected abstract IBlobStore OpenStore();

    private ModelRegistry NewRegistry() => new(OpenStore(), _modelName) { Actor = "tests" };

    [Fact]
    public async Task TheFirstModelRegisteredBecomesChampion()
    {
        var registry = NewRegistry();

        var v1 = await registry.RegisterAsync(TestModels.A, new RegistrationInfo(RunId: "run-1", Source: "tests"));
        var v2 = await registry.RegisterAsync(TestModels.B, new RegistrationInfo(RunId: "run-2"));

        var champion = await registry.GetAliasAsync(ModelAliases.Champion);
        Assert.Equal("1", v1.Version);
        Assert.Equal("2", v2.Version);
        Assert.Equal("1", champion!.Version);
        Assert.Equal(AliasChangeKinds.FirstModel, Assert.Single(champion.History).Kind);
    }

    [Fact]
    public async Task RegistrationRecordsLineageInTheManifestAndTheStoredCard()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo(RunId: "run-a"));

        var v2 = await registry.RegisterAsync(TestModels.B, new RegistrationInfo(RunId: "run-b", CodeVersion: "abc123", Source: "fraud train"));
        var (_, card) = await registry.LoadAsync("2");

        Assert.Equal("1", v2.ParentVersion);
        Assert.Equal("run-b", v2.RunId);
        Assert.Equal("abc123", v2.CodeVersion);
        Assert.Equal(TestModels.B.Card.DataFingerprint, v2.DataFingerprint);
        Assert.Equal(TestModels.B.Card.Rows, v2.TrainingRows);
        Assert.Equal(TestModels.B.Card.Metrics.PrAuc, v2.PrAuc, 12);
        Assert.Equal("2", card.Lineage.Version);
        Assert.Equal("1", card.Lineage.ParentVersion);
        Assert.Equal("run-b", card.Lineage.RunId);
        Assert.Null(TestModels.B.Card.Lineage.Version);
    }

    [Fact]
    public async Task ALoadedModelScoresExactlyLikeTheOneRegistered()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());

        var (model, card) = await registry.LoadAsync("1");

        Assert.Equal(TestModels.A.Model.ModelId, model.ModelId);
        Assert.Equal(TestModels.A.Card.ModelId, card.ModelId);
        foreach (var basket in TestModels.Baskets.Take(50))
        {
            Assert.Equal(TestModels.A.Model.Score(basket, explain: false).FraudProbability, model.Score(basket, explain: false).FraudProbability);
        }

        Assert.Contains("<html", await registry.GetReportAsync("1"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task VersionsAreImmutable()
    {
        var store = OpenStore();
        var registry = new ModelRegistry(store, _modelName);
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());

        await Assert.ThrowsAsync<BlobPreconditionFailedException>(() => store.PutAsync(
            Containers.Models, registry.VersionBlobName("1", "model.json"), TestModels.B.Model.ToJsonBytes(), BlobWriteCondition.IfNotExists));
        var (model, _) = await registry.LoadAsync("1");

        Assert.Equal(TestModels.A.Model.ModelId, model.ModelId);
    }

    [Fact]
    public async Task ACorruptedArtifactIsRefusedOnLoad()
    {
        var store = OpenStore();
        var registry = new ModelRegistry(store, _modelName);
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await store.PutAsync(Containers.Models, registry.VersionBlobName("1", "model.json"), Encoding.UTF8.GetBytes("{\"truncated\":"));

        var ex = await Assert.ThrowsAsync<ModelFormatException>(() => registry.LoadAsync("1"));

        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromotionMovesTheAliasAndKeepsEveryReason()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await registry.RegisterAsync(TestModels.B, new RegistrationInfo());

        await registry.PromoteAsync("2", ModelAliases.Challenger, "retrained on March labels");
        var champion = await registry.PromoteAsync("2", ModelAliases.Champion, "beats 1 on PR-AUC by 0.03");

        Assert.Equal("2", champion.Version);
        Assert.Equal("2", (await registry.GetAliasAsync(ModelAliases.Challenger))!.Version);
        var last = champion.History[^1];
        Assert.Equal((AliasChangeKinds.Promote, "2", "1", "beats 1 on PR-AUC by 0.03", "tests"), (last.Kind, last.Version, last.PreviousVersion, last.Reason, last.ChangedBy));
        Assert.Equal(2, champion.History.Count);
    }

    [Fact]
    public async Task PromotionNeedsAReasonAndAnExistingVersion()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());

        await Assert.ThrowsAsync<ArgumentException>(() => registry.PromoteAsync("1", ModelAliases.Challenger, "  "));
        var missing = await Assert.ThrowsAsync<ModelVersionNotFoundException>(() => registry.PromoteAsync("9", ModelAliases.Champion, "why not"));
        Assert.Contains("9", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RegistryException>(() => registry.PromoteAsync("1", ModelAliases.Champion, "again"));
    }

    [Fact]
    public async Task RollbackReturnsToEarlierChampionsAndNeverToggles()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await registry.RegisterAsync(TestModels.B, new RegistrationInfo());
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        await registry.PromoteAsync("2", ModelAliases.Champion, "better");
        await registry.PromoteAsync("3", ModelAliases.Champion, "better still");

        var first = await registry.RollbackAsync(null, "3 declines too many good baskets");
        var second = await registry.RollbackAsync(null, "2 has the same problem");
        var named = await registry.RollbackAsync("3", "the problem was upstream data after all");

        Assert.Equal("2", first.Version);
        Assert.Equal("1", second.Version);
        Assert.Equal("3", named.Version);
        Assert.Equal(AliasChangeKinds.Rollback, named.History[^1].Kind);
        Assert.Equal(6, named.History.Count);
    }

    [Fact]
    public async Task RollbackWithoutAnEarlierChampionSaysSo()
    {
        var registry = NewRegistry();
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());

        var ex = await Assert.ThrowsAsync<RegistryException>(() => registry.RollbackAsync(null, "oops"));

        Assert.Contains("--to", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OfTwoConcurrentPromotionsExactlyOneWinsAndTheOtherGetsAConflict()
    {
        var setup = NewRegistry();
        for (var i = 0; i < 3; i++)
        {
            await setup.RegisterAsync(i % 2 == 0 ? TestModels.A : TestModels.B, new RegistrationInfo());
        }

        // Two operators (two processes, two clients) both decided against champion 1 and promote at the same moment.
        var left = NewRegistry();
        var right = NewRegistry();
        var outcomes = await Task.WhenAll(
            Outcome(() => left.PromoteAsync("2", ModelAliases.Champion, "left: 2 is better", expectedCurrentVersion: "1")),
            Outcome(() => right.PromoteAsync("3", ModelAliases.Champion, "right: 3 is better", expectedCurrentVersion: "1")));

        Assert.Equal(1, outcomes.Count(o => o is null));
        var conflict = Assert.IsType<RegistryConflictException>(outcomes.Single(o => o is not null));
        Assert.Contains("champion", conflict.Message, StringComparison.Ordinal);
        var champion = await setup.GetAliasAsync(ModelAliases.Champion);
        Assert.Equal(outcomes[0] is null ? "2" : "3", champion!.Version);
        Assert.Equal(2, champion.History.Count);
        RaceReport.Record(GetType().Name, $"expected-version race: winner {champion.Version}, loser: {conflict.Message}");
    }

    [Fact]
    public async Task TwoPromotionsThatReadTheSameAliasStateCannotBothWin()
    {
        var setup = NewRegistry();
        for (var i = 0; i < 3; i++)
        {
            await setup.RegisterAsync(TestModels.A, new RegistrationInfo());
        }

        // Both clients are held until each has read the champion alias, so both write with the same If-Match ETag.
        var rendezvous = new Rendezvous("/aliases/champion.json", parties: 2);
        var left = new ModelRegistry(new RendezvousStore(OpenStore(), rendezvous), _modelName);
        var right = new ModelRegistry(new RendezvousStore(OpenStore(), rendezvous), _modelName);
        var outcomes = await Task.WhenAll(
            Outcome(() => left.PromoteAsync("2", ModelAliases.Champion, "left")),
            Outcome(() => right.PromoteAsync("3", ModelAliases.Champion, "right")));

        Assert.Equal(1, outcomes.Count(o => o is null));
        var conflict = Assert.IsType<RegistryConflictException>(outcomes.Single(o => o is not null));
        Assert.Contains("changed while", conflict.Message, StringComparison.Ordinal);
        var champion = await setup.GetAliasAsync(ModelAliases.Champion);
        Assert.Equal(outcomes[0] is null ? "2" : "3", champion!.Version);
        Assert.Equal(2, champion.History.Count);
        RaceReport.Record(GetType().Name, $"same-ETag race: version {champion.Version} won; loser: {conflict.Message}");
    }

    [Fact]
    public async Task ManyRacingPromotionsNeverLoseAnUpdateSilently()
    {
        var setup = NewRegistry();
        for (var i = 0; i < 5; i++)
        {
            await setup.RegisterAsync(TestModels.A, new RegistrationInfo());
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(2, 4).Select(v =>
            Outcome(() => NewRegistry().PromoteAsync(v.ToString(System.Globalization.CultureInfo.InvariantCulture), ModelAliases.Champion, $"promote {v}"))));

        var winners = outcomes.Count(o => o is null);
        Assert.True(winners >= 1);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<RegistryConflictException>(o));
        var champion = await setup.GetAliasAsync(ModelAliases.Champion);
        // Every promotion that reported success is in the history; none was overwritten unseen.
        Assert.Equal(1 + winners, champion!.History.Count);
        RaceReport.Record(GetType().Name, $"4 racing promotions without a guard version: {winners} won in turn, {4 - winners} got a conflict");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EightPromotionsDecidedOnTheSameChampionHaveExactlyOneWinner(bool withExpectedVersion)
    {
        var setup = NewRegistry();
        for (var i = 0; i < 5; i++)
        {
            await setup.RegisterAsync(TestModels.A, new RegistrationInfo());
        }

        for (var round = 0; round < 3; round++)
        {
            var current = (await setup.GetAliasAsync(ModelAliases.Champion))!.Version;
            var candidates = new[] { "1", "2", "3", "4", "5" }.Where(v => v != current).ToArray();
            var arrived = 0;
            var allRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                // As `fraud registry promote` does: read the alias once, decide, promote guarded by that read.
                var racer = NewRegistry();
                var seen = await racer.GetAliasAsync(ModelAliases.Champion);
                if (Interlocked.Increment(ref arrived) == 8)
                {
                    allRead.SetResult();
                }

                await allRead.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return await Outcome(() => racer.PromoteFromAsync(seen, candidates[i % candidates.Length], ModelAliases.Champion, $"racer {i}", withExpectedVersion ? current : null));
            })));

            Assert.Equal(1, outcomes.Count(o => o is null));
            Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<RegistryConflictException>(o));
        }

        var champion = await setup.GetAliasAsync(ModelAliases.Champion);
        Assert.Equal(1 + 3, champion!.History.Count);
    }

    [Fact]
    public async Task APromotionDecidedBeforeAnotherChangeIsAConflictNotAnOverwrite()
    {
        var registry = NewRegistry();
        for (var i = 0; i < 3; i++)
        {
            await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        }

        var seen = await registry.GetAliasAsync(ModelAliases.Champion);
        await NewRegistry().PromoteAsync("2", ModelAliases.Champion, "someone else, meanwhile");

        await Assert.ThrowsAsync<RegistryConflictException>(() => registry.PromoteFromAsync(seen, "3", ModelAliases.Champion, "decided against 1"));
        Assert.Equal("2", (await registry.GetAliasAsync(ModelAliases.Champion))!.Version);
    }

    [Fact]
    public async Task ConcurrentRegistrationsGetDistinctVersions()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewRegistry().RegisterAsync(TestModels.A, new RegistrationInfo())));

        Assert.Equal(["1", "2", "3", "4"], results.Select(r => r.Version).Order(StringComparer.Ordinal));
        Assert.Equal(["1", "2", "3", "4"], (await NewRegistry().ListAsync()).Select(v => v.Version));
    }

    [Fact]
    public async Task AVersionWhoseManifestIsMissingIsNotListedAndItsNumberIsNotReused()
    {
        var store = OpenStore();
        var registry = new ModelRegistry(store, _modelName);
        await registry.RegisterAsync(TestModels.A, new RegistrationInfo());
        // A registration that crashed after claiming version 2.
        await store.PutAsync(Containers.Models, registry.VersionBlobName("2", "model.json"), TestModels.B.Model.ToJsonBytes(), BlobWriteCondition.IfNotExists);

        var next = await registry.RegisterAsync(TestModels.B, new RegistrationInfo());

        Assert.Equal("3", next.Version);
        Assert.Equal(["1", "3"], (await registry.ListAsync()).Select(v => v.Version));
        Assert.Null(await registry.GetVersionAsync("2"));
    }

    private static async Task<Exception?> Outcome(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (RegistryException ex)
        {
            return ex;
        }
    }
}
