using Fraud.Model.Drift;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Xunit.Abstractions;

namespace Fraud.Monitoring.Tests;

/// <summary>The drift check on generated traffic logged through the real prediction log: standard traffic passes, drifted traffic is flagged.</summary>
public sealed class ScenarioDriftTests(ChampionFixture champion, ITestOutputHelper output) : IClassFixture<ChampionFixture>
{
    [Fact]
    public async Task StandardTrafficIsNotFlaggedButDriftedTrafficIsDatasetDriftWithAnAlert()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        var (model, card) = await registry.LoadAsync("1");
        using var metrics = new FraudMetrics();
        var alerts = new List<IReadOnlyDictionary<string, string>>();
        metrics.EventRaised += (name, properties) =>
        {
            if (name == FraudMetrics.DriftAlertEvent)
            {
                alerts.Add(properties);
            }
        };
        var check = new DriftCheck(metrics: metrics);

        var standard = await LogAndCheckAsync(temp, Scenario.Standard, seed: 501, check, model, card);
        Assert.Empty(alerts);
        var drifted = await LogAndCheckAsync(temp, Scenario.Drift, seed: 502, check, model, card);

        Report("standard", standard);
        Report("drift", drifted);
        Assert.Equal(DriftReport.InputsBasis, standard.DatasetDriftBasis);
        Assert.False(standard.DatasetDrift, $"standard traffic: {standard.DriftedInputs} of {standard.InputCount} inputs drifted");
        Assert.False(standard.Flagged, $"standard traffic flagged: score PSI {standard.ScorePsi:F3}, {standard.DriftedInputs} inputs and {standard.DriftedFeatures} features drifted");
        Assert.Equal(DriftStatus.Ok, standard.Status);
        Assert.Equal(0, standard.DriftedInputs);
        Assert.True(standard.ScorePsi < 0.1, $"standard score PSI {standard.ScorePsi:F3}");

        Assert.True(drifted.DatasetDrift, $"drifted traffic: {drifted.DriftedInputs} of {drifted.InputCount} inputs drifted ({drifted.DriftedShare:P0})");
        Assert.Equal(DriftStatus.Alert, drifted.Status);
        Assert.True(drifted.DriftedShare >= 0.5);
        // The generator's drift moves the product mix and prices: both must be among what moved.
        Assert.True(drifted.Inputs.Single(f => f.Name == CategoricalProfile.ItemCategory).Drifted);
        Assert.True(drifted.Inputs.Single(f => f.Name == InputSignals.MaxUnitPrice).Drifted);
        var alert = Assert.Single(alerts);
        Assert.Equal("true", alert["datasetDrift"]);
        Assert.Equal(3000, standard.CurrentRows);
        Assert.Equal(3000, drifted.CurrentRows);
    }

    [Fact]
    public async Task AttackRaisesTheObservedFraudRateWellAboveExpected()
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        var (model, card) = await registry.LoadAsync("1");
        var attack = ScenarioTraffic.Generate(Scenario.Attack, 3000, 503).ToList();
        var standard = ScenarioTraffic.Generate(Scenario.Standard, 20000, 504).ToList();

        var attackRate = attack.Count(a => a.IsFraud) / (double)attack.Count;
        var standardRate = standard.Count(a => a.IsFraud) / (double)standard.Count;
        var labels = attack.ToDictionary(a => a.Basket.Id, a => new FraudLabel(a.Basket.Id, a.IsFraud, "test", DateTimeOffset.UnixEpoch));
        var report = new DriftCheck().Run(model, card, "1", attack.ConvertAll(a => a.Basket), "attack", labels);

        output.WriteLine($"attack label rate {attackRate:P2} vs standard {standardRate:P2}; observed mean probability {report.ObservedFraudRate:P2} vs expected {report.ExpectedFraudRate:P2}; labelled {report.LabelledFraudRate:P2}");
        Assert.InRange(attackRate / standardRate, 7, 13);
        Assert.Equal(attackRate, report.LabelledFraudRate!.Value, 9);
        Assert.Equal(attack.Count, report.LabelledRows);
        Assert.True(report.LabelledFraudRate > 5 * report.ExpectedFraudRate);
        Assert.True(report.ObservedFraudRate > report.ExpectedFraudRate, "the model sees the attack's riskier baskets");
    }

    private static async Task<DriftReport> LogAndCheckAsync(TempStore temp, Scenario scenario, int seed, DriftCheck check, Fraud.Model.FraudModel model, Fraud.Model.ModelCard card)
    {
        // Each scenario in its own hour, so the window read picks exactly its traffic.
        var hour = new DateTimeOffset(2026, 5, 1, scenario == Scenario.Standard ? 10 : 14, 0, 0, TimeSpan.Zero);
        await using (var log = new BufferedPredictionLog(temp.Store, new PredictionLogOptions { FlushInterval = TimeSpan.FromHours(1) }))
        {
            var i = 0;
            foreach (var generated in ScenarioTraffic.Generate(scenario, 3000, seed))
            {
                var result = model.Score(generated.Basket, explain: false);
                log.TryWrite(new PredictionRecord(generated.Basket, result.FraudProbability, result.Decision, "1", hour.AddSeconds(i++), "test"));
            }
        }

        var window = new List<Fraud.Baskets.Basket>();
        await foreach (var record in new PredictionLogReader(temp.Store).ReadWindowAsync(hour, hour.AddHours(1)))
        {
            window.Add(record.Basket);
        }

        return check.Run(model, card, "1", window, scenario.ToString());
    }

    private void Report(string name, DriftReport report)
    {
        output.WriteLine($"{name}: score PSI {report.ScorePsi:F4}, inputs drifted {report.DriftedInputs}/{report.InputCount}, features drifted {report.DriftedFeatures}/{report.FeatureCount}, dataset drift {report.DatasetDrift}, alert {report.Alert}");
        foreach (var f in report.Inputs.Concat(report.Features.Take(5)))
        {
            output.WriteLine($"  {f.Name} PSI {f.Psi:F4} KS {f.Ks:F3}");
        }
    }
}
