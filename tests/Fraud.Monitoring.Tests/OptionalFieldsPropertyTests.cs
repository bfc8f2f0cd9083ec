using System.Text;
using System.Text.Json;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Registry;

namespace Fraud.Monitoring.Tests;

/// <summary>
/// Issue 14.2: one accepted basket without <c>goodsCode</c> crashed every later monitoring run. Property: every basket
/// the contract accepts, whatever its optional fields hold (absent, empty, or 256 characters of anything), goes
/// through scoring with reasons, the prediction log, drift, labels, retraining, the gate and the reports, and the
/// monitoring loop completes. Baskets come from a seeded generator (same seed, same baskets) so a failure replays;
/// it is hand-written rather than FsCheck because the property needs the three states of each optional field
/// exactly, and shrinking matters less than naming the seed and basket that broke.
/// </summary>
public sealed class OptionalFieldsPropertyTests(ChampionFixture champion) : IClassFixture<ChampionFixture>
{
    private const int BasketsPerSeed = 400;

    [Theory]
    [InlineData(1401)]
    [InlineData(1402)]
    [InlineData(1403)]
    public async Task EveryValidBasketGoesThroughTheWholeMonitoringLoop(int seed)
    {
        var (temp, registry) = await champion.NewStoreAsync();
        using var _ = temp;
        var (model, _) = await registry.LoadAsync("1");
        var random = new Random(seed);
        var now = DateTimeOffset.UtcNow;
        var baskets = new List<Basket>(BasketsPerSeed);
        for (var i = 0; i < BasketsPerSeed; i++)
        {
            // Through the JSON contract, so "absent" is whatever the product makes of a missing key.
            var json = RandomBasketJson(random, $"p{seed}-{i}");
            var basket = JsonSerializer.Deserialize(json, BasketJsonContext.Default.Basket);
            Assert.True(BasketValidation.IsValid(basket), $"seed {seed}: the generator made an invalid basket: {json}");
            baskets.Add(basket!);
        }

        // Scoring with reasons, then the prediction log.
        await using (var log = new BufferedPredictionLog(temp.Store))
        {
            for (var i = 0; i < baskets.Count; i++)
            {
                ScoreResult result;
                try
                {
                    result = model.Score(baskets[i], explain: true);
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException($"seed {seed}, basket {i}: scoring threw {ex.GetType().Name}: {ex.Message}\n{JsonSerializer.Serialize(baskets[i], BasketJsonContext.Default.Basket)}");
                }

                Assert.InRange(result.FraudProbability, 0, 1);
                Assert.All(result.Reasons, r => Assert.False(string.IsNullOrEmpty(r.Description)));
                Assert.True(log.TryWrite(new PredictionRecord(baskets[i], result.FraudProbability, result.Decision, "1", now.AddSeconds(-3600 + (i * 3600.0 / baskets.Count)), "property")));
            }
        }

        var logged = new List<PredictionRecord>();
        await foreach (var record in new PredictionLogReader(temp.Store).ReadWindowAsync(now.AddHours(-2), now.AddMinutes(1)))
        {
            logged.Add(record);
        }

        Assert.Equal(baskets.Count, logged.Count);

        // Labels for all of them (a fraud rate high enough for the gate), then a forced monitoring run: drift on exactly
        // these baskets with its reports, a challenger trained on them, the gate. It must complete, whatever it decides.
        var labels = baskets.Select((b, i) => new FraudLabel(b.Id, i % 5 == 0, "property", now)).ToList();
        await new LabelStore(temp.Store).AppendAsync(labels);
        var options = new MonitoringOptions
        {
            Training = ChampionFixture.Options,
            Threads = 2,
            Force = true,
            MinHoldoutRows = 100,
            Gate = new GateOptions { MinHoldoutRows = 100, MinHoldoutFrauds = 10 },
        };

        var outcome = await new MonitoringJob(temp.Store, registry, new RunTracker(temp.Store)).RunAsync(options);

        Assert.Contains(outcome.Decision, new[] { MonitoringDecisions.Promoted, MonitoringDecisions.KeptChampion });
        Assert.Equal(baskets.Count, outcome.Drift!.CurrentRows);
        Assert.NotNull(outcome.ChallengerVersion);
        var challenger = await registry.LoadAsync(outcome.ChallengerVersion!);
        var report = await new RunTracker(temp.Store).GetArtifactAsync(outcome.RunId!, "drift-report.html");
        Assert.True(report is { Length: > 0 });

        // The retrained model scores the same baskets again, with reasons.
        foreach (var basket in baskets)
        {
            Assert.InRange(challenger.Model.Score(basket, explain: true).FraudProbability, 0, 1);
        }
    }

    private static string RandomBasketJson(Random random, string id)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteStartArray("items");
            var items = random.Next(1, Basket.MaxItems + 1);
            for (var i = 0; i < items; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("item", random.Next(3) == 0 ? Anything(random, random.Next(1, Basket.MaxStringLength + 1)).Trim() is { Length: > 0 } odd ? odd : "x" : Categories[random.Next(Categories.Length)]);
                writer.WriteNumber("cashPrice", random.Next(4) == 0 ? 0 : Math.Round(random.NextDouble() * 5000, 2));
                writer.WriteNumber("quantity", random.Next(1, 12));
                foreach (var field in new[] { "make", "model", "goodsCode" })
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            break; // absent
                        case 1:
                            writer.WriteString(field, string.Empty);
                            break;
                        default:
                            writer.WriteString(field, Anything(random, Basket.MaxStringLength));
                            break;
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // Any UTF-16 text without lone surrogates (JSON cannot carry those): controls, quotes, whitespace, any script.
    private static string Anything(Random random, int length)
    {
        var chars = new char[length];
        var kind = random.Next(4);
        for (var i = 0; i < length; i++)
        {
            chars[i] = kind switch
            {
                0 => ' ',
                1 => (char)random.Next(0, 128),
                _ => (char)random.Next(0, 0xD800),
            };
        }

        return new string(chars);
    }

    private static readonly string[] Categories = ["COMPUTERS", "TELEVISIONS HOME CINEMA", "Warranty", "fulfilment charge", "Home and personal security", "computer peripherals accessories"];
}
