using Fraud.Model.Drift;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;

namespace Fraud.Monitoring.Tests;

/// <summary>The whole loop on a file store with a real champion, real logged traffic and real labels.</summary>
public sealed class MonitoringJobTests(ChampionFixture champion) : IClassFixture<ChampionFixture>
{
    private static readonly MonitoringOptions Quick = new()
    {
        Training = ChampionFixture.Options,
        Threads = 2,
        MinNewLabels = 1000,
        MinHoldoutRows = 500,
        Gate = new GateOptions { MinHoldoutRows = 500, MinHoldoutFrauds = 10 },
    };

    [Fact]
    public async Task WithoutTriggersTheChampionStaysAndTheRunIsTrackedWithItsDriftReport()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        await LogTrafficAsync(temp, Scenario.Standard, 1000, seed: 701, labelled: false);

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store)).RunAsync(Quick);

        Assert.Equal(MonitoringDecisions.NoRetrain, outcome.Decision);
        Assert.StartsWith("no trigger", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal("1", outcome.ChampionVersion);
        Assert.Null(outcome.ChallengerVersion);
        Assert.Equal(1000, outcome.Drift!.CurrentRows);
        Assert.False(outcome.Drift.Alert);
        var run = await new RunTracker(temp.Store).GetAsync(outcome.RunId!);
        Assert.Equal(MonitoringJob.RunKind, run!.Kind);
        Assert.Equal(MonitoringDecisions.NoRetrain, run.Tags["decision"]);
        var report = await new RunTracker(temp.Store).GetArtifactAsync(outcome.RunId!, "drift-report.json");
        Assert.Equal(outcome.Drift.ScorePsi, DriftReport.FromJson(System.Text.Encoding.UTF8.GetString(report!.Value.Span)).ScorePsi);
        Assert.NotNull(await new RunTracker(temp.Store).GetArtifactAsync(outcome.RunId!, "drift-report.html"));
    }

    [Fact]
    public async Task ChallengerThatCannotBeatTheMarginStaysChallengerWithTheReason()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        await LogTrafficAsync(temp, Scenario.Standard, 4000, seed: 702, labelled: true);
        var impossible = Quick with { Gate = Quick.Gate with { MinPrAucGain = 0.99 } };

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store)).RunAsync(impossible);

        Assert.Equal(MonitoringDecisions.KeptChampion, outcome.Decision);
        Assert.Contains("new-labels", outcome.Triggers);
        Assert.Equal("2", outcome.ChallengerVersion);
        Assert.Contains("stays challenger", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("below the required", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal("1", (await registry.GetAliasAsync(ModelAliases.Champion))!.Version);
        Assert.Equal("2", (await registry.GetAliasAsync(ModelAliases.Challenger))!.Version);
        // Base set (8000) + the older 70% of the labelled traffic; the newest 30% is the holdout.
        Assert.Equal(ChampionFixture.TrainingRows + 2800, outcome.TrainingRows);
        Assert.Equal(1200, outcome.Gate!.HoldoutRows);
        Assert.True(double.IsFinite(outcome.Gate.ChampionPrAuc) && double.IsFinite(outcome.Gate.ChallengerPrAuc));
        var version = await registry.GetVersionAsync("2");
        Assert.Equal("1", version!.ParentVersion);
        Assert.Equal(outcome.RunId, version.RunId);
    }

    [Fact]
    public async Task ChallengerThatClearsTheGateIsPromotedAndAnnounced()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        using var metrics = new FraudMetrics();
        var events = new List<(string Name, IReadOnlyDictionary<string, string> Properties)>();
        metrics.EventRaised += (name, properties) => events.Add((name, properties));
        await LogTrafficAsync(temp, Scenario.Standard, 4000, seed: 703, labelled: true);
        var lenient = Quick with { Gate = Quick.Gate with { MinPrAucGain = -1, MaxLogLossIncrease = 10 } };

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store), metrics).RunAsync(lenient);

        Assert.Equal(MonitoringDecisions.Promoted, outcome.Decision);
        Assert.Equal("2", outcome.ChampionVersion);
        var alias = await registry.GetAliasAsync(ModelAliases.Champion);
        Assert.Equal("2", alias!.Version);
        Assert.Contains(outcome.RunId!, alias.Reason, StringComparison.Ordinal);
        var promoted = Assert.Single(events, e => e.Name == FraudMetrics.ModelPromotedEvent);
        Assert.Equal("2", promoted.Properties["version"]);
        Assert.Equal("1", promoted.Properties["previousVersion"]);
    }

    [Fact]
    public async Task DriftedTrafficRaisesADriftAlertThatTriggersRetraining()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        using var metrics = new FraudMetrics();
        var events = new List<string>();
        metrics.EventRaised += (name, _) => events.Add(name);
        await LogTrafficAsync(temp, Scenario.Drift, 2000, seed: 705, labelled: false);

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store), metrics).RunAsync(Quick);

        Assert.True(outcome.Drift!.DatasetDrift, $"{outcome.Drift.DriftedInputs} of {outcome.Drift.InputCount} inputs drifted");
        Assert.True(outcome.Drift.Alert);
        Assert.Contains(FraudMetrics.DriftAlertEvent, events);
        Assert.Equal(["drift"], outcome.Triggers);
        // Triggered, but without recent labels no challenger is trained blind.
        Assert.Equal(MonitoringDecisions.Skipped, outcome.Decision);
    }

    [Fact]
    public async Task ForcedRunWithoutRecentLabelsIsSkippedNotTrainedBlind()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        await LogTrafficAsync(temp, Scenario.Standard, 600, seed: 704, labelled: false);

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store)).RunAsync(Quick with { Force = true });

        Assert.Equal(MonitoringDecisions.Skipped, outcome.Decision);
        Assert.Contains("recent labelled baskets", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(await registry.GetVersionAsync("2"));
    }

    [Fact]
    public async Task StoreWithoutChampionSaysSo()
    {
        using var temp = new TempStore();

        var outcome = await new MonitoringJob(temp.Store, new ModelRegistry(temp.Store), new RunTracker(temp.Store)).RunAsync(Quick);

        Assert.Equal(MonitoringDecisions.NoChampion, outcome.Decision);
    }

    [Fact]
    public void LabelsJoinOnIdKeepOrphansAndDeduplicate()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var predictions = new[] { TestData.Record("a", t0), TestData.Record("a", t0.AddHours(1)), TestData.Record("b", t0.AddHours(2)) };
        var labels = new[] { new FraudLabel("a", true, "x", t0), new FraudLabel("z", false, "x", t0), new FraudLabel("b", false, "x", t0) };

        var join = TrainingSetBuilder.Join(predictions, labels);
        var set = TrainingSetBuilder.Build([TestData.Basket("a"), TestData.Basket("c")], [false, true], join.Matched, 0.5, 0);

        Assert.Equal(["a", "b"], join.Matched.Select(m => m.Basket.Id));
        Assert.Equal(t0.AddHours(1), join.Matched[0].ScoredAt);
        Assert.Equal(1, join.LabelsWithoutPrediction);
        Assert.Equal(1, set.BaseRowsReplaced);
        Assert.Equal(["c", "a"], set.TrainBaskets.Select(b => b.Id));
        Assert.Equal([true, true], set.TrainLabels);
        Assert.Equal("b", Assert.Single(set.HoldoutBaskets).Id);
    }

    [Fact]
    public async Task StreamedJoinHoldsOnlyLabelledBasketsAndMatchesTheListJoin()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var predictions = Enumerable.Range(0, 50).Select(i => TestData.Record("p" + (i % 40), t0.AddMinutes(i))).ToArray();
        var labels = new[] { new FraudLabel("p3", true, "x", t0), new FraudLabel("p45", false, "x", t0), new FraudLabel("p7", false, "x", t0), new FraudLabel("p5", false, "x", t0) };

        var listed = TrainingSetBuilder.Join(predictions, labels);
        var streamed = await TrainingSetBuilder.JoinAsync(predictions.ToAsyncEnumerable(), labels);

        Assert.Equal(["p3", "p5", "p7"], streamed.Matched.Select(m => m.Basket.Id));
        Assert.Equal(listed.Matched, streamed.Matched);
        Assert.Equal(50, streamed.Predictions);
        Assert.Equal(1, streamed.LabelsWithoutPrediction);
        // p3 was scored twice (minutes 3 and 43): the latest scoring is the one joined.
        Assert.Equal(t0.AddMinutes(43), streamed.Matched[0].ScoredAt);
    }

    [Fact]
    public void TrainingSetOverTheCapKeepsEveryFraudAndTheNewestNonFrauds()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // Base set b0..b9 (b2 a fraud), then labelled traffic t0..t19 in scoring order (t1 and t11 frauds); no holdout.
        var labelled = Enumerable.Range(0, 20).Select(i => new LabelledPrediction(TestData.Basket("t" + i), i % 10 == 1, t0.AddMinutes(i), t0.AddDays(1))).ToList();
        var baseBaskets = Enumerable.Range(0, 10).Select(i => TestData.Basket("b" + i)).ToList();
        var baseLabels = Enumerable.Range(0, 10).Select(i => i == 2).ToList();

        var whole = TrainingSetBuilder.Build(baseBaskets, baseLabels, labelled, 0, 0);
        var capped = TrainingSetBuilder.Build(baseBaskets, baseLabels, labelled, 0, 0, maxTrainingRows: 8);

        Assert.Equal(30, whole.TrainBaskets.Count);
        Assert.Equal(0, whole.RowsOverCap);
        // 3 frauds + the 5 newest non-frauds (t19..t15), in their original order.
        Assert.Equal(["b2", "t1", "t11", "t15", "t16", "t17", "t18", "t19"], capped.TrainBaskets.Select(b => b.Id));
        Assert.Equal([true, true, true, false, false, false, false, false], capped.TrainLabels);
        Assert.Equal(22, capped.RowsOverCap);

        // Frauds beyond the cap are all kept; non-frauds all go.
        var fraudsOnly = TrainingSetBuilder.Build(baseBaskets, baseLabels, labelled, 0, 0, maxTrainingRows: 2);
        Assert.Equal(["b2", "t1", "t11"], fraudsOnly.TrainBaskets.Select(b => b.Id));
    }

    [Fact]
    public void TrainingRowCapBelowAThousandIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MonitoringOptions { MaxTrainingRows = 999 }.Validate());
        new MonitoringOptions { MaxTrainingRows = 1000 }.Validate();
    }

    [Fact]
    public async Task TheRunCompactsLabelsAndReadsOnlyTheLabelsOfItsLookback()
    {
        // Issue 14 item 15: one blob per label POST, every one re-read by every run.
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        await LogTrafficAsync(temp, Scenario.Standard, 1000, seed: 707, labelled: false);
        var ids = ScenarioTraffic.Generate(Scenario.Standard, 1000, 707).Select(t => t.Basket.Id).ToList();
        var now = DateTimeOffset.UtcNow;
        var threeHoursAgo = new LabelStore(temp.Store, new FixedClock(now.AddHours(-3)));
        for (var i = 0; i < 10; i++)
        {
            await threeHoursAgo.AppendAsync([new FraudLabel(ids[i], i % 2 == 0, "chargeback", now.AddHours(-3))]);
        }

        // A label that arrived 200 days ago (outside the 90-day lookback), in the first layout, for a basket in the log.
        var old = now.AddDays(-200).UtcDateTime;
        await temp.Store.PutAsync(Containers.Labels, $"{old:yyyy'/'MM'/'dd}/{old:yyyyMMdd'T'HHmmssfff'Z'}-0a0b.json", System.Text.Encoding.UTF8.GetBytes($$"""[{"id":"{{ids[500]}}","fraudFlag":true,"source":"chargeback","observedAt":"{{now.AddDays(-200):O}}"}]"""));

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store)).RunAsync(Quick);
        var run = await new RunTracker(temp.Store).GetAsync(outcome.RunId!);
        var hour = now.AddHours(-3).UtcDateTime;
        var hourBlobs = await temp.Store.ListAsync(Containers.Labels, $"{hour:yyyy'/'MM'/'dd'/'HH}/").Select(b => b.Name).ToListAsync();

        Assert.Equal(10, outcome.LabelledBaskets);
        Assert.Equal(1, run!.Metrics["compacted_label_hours"]);
        Assert.Equal(10, run.Metrics["compacted_label_files"]);
        Assert.Contains("/compacted-", Assert.Single(hourBlobs), StringComparison.Ordinal);
        Assert.Equal(11, (await new LabelStore(temp.Store).ReadAllAsync()).Count); // nothing lost, the old blob included
    }

    private static async Task LogTrafficAsync(TempStore temp, Scenario scenario, int count, int seed, bool labelled)
    {
        var now = DateTimeOffset.UtcNow;
        var (model, _) = await new ModelRegistry(temp.Store).LoadAsync("1");
        var traffic = ScenarioTraffic.Generate(scenario, count, seed).ToList();
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { Capacity = count, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (var i = 0; i < traffic.Count; i++)
            {
                var result = model.Score(traffic[i].Basket, explain: false);
                // Spread over the last hour, oldest first, so the time split has an order to follow.
                log.TryWrite(new PredictionRecord(traffic[i].Basket, result.FraudProbability, result.Decision, "1", now.AddSeconds(-3600 + (i * 3600.0 / count)), "test"));
            }
        }

        if (labelled)
        {
            await new LabelStore(temp.Store).AppendAsync(traffic.ConvertAll(t => new FraudLabel(t.Basket.Id, t.IsFraud, "test", now)));
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
