using System.Text;
using System.Text.Json.Nodes;
using Fraud.Baskets;
using Fraud.Model;

namespace Fraud.Model.Tests;

public sealed class ArtifactTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void ReloadedModelGivesIdenticalScoresAndId()
    {
        var bytes = fixture.Model.ToJsonBytes();
        using var stream = new MemoryStream(bytes);
        var reloaded = FraudModel.Load(stream);

        Assert.Equal(fixture.Model.ModelId, reloaded.ModelId);
        Assert.Equal(fixture.Model.Thresholds, reloaded.Thresholds);
        Assert.Equal(fixture.Model.FeatureNames, reloaded.FeatureNames);
        foreach (var basket in fixture.TestBaskets.Take(500))
        {
            Assert.Equal(fixture.Model.PredictProbability(basket), reloaded.PredictProbability(basket));
        }

        Assert.Equal(bytes, reloaded.ToJsonBytes());
    }

    [Fact]
    public void RefusesTruncatedFileWithClearMessage()
    {
        var bytes = fixture.Model.ToJsonBytes();
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(bytes.AsSpan(0, bytes.Length / 2)));
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAnotherSchemaVersion()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["schema_version"] = 99)));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesFeatureListThatDoesNotMatchTheFeaturizer()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["feature_names"]![0] = "renamed")));
        Assert.Contains("feature list", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesFeatureSchemaHashMismatch()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["feature_schema_hash"] = new string('0', 64))));
        Assert.Contains("feature-schema hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesTreesThatReferToMissingFeatures()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"]![0]!["trees"]!["feature_count"] = 3)));
        Assert.Contains("trees", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesEncodingTableWithMissingRisks()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"]![0]!["featurizer"]!["models"]!["risk"] = new JsonArray())));
        Assert.Contains("models", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsAVersionOneFileAsASingleMember()
    {
        // Version 1 kept one featurizer and its trees at the top level; champions written then must keep serving.
        // The first member alone, as a version 2 file, is the model that file must read as.
        var json = JsonNode.Parse(fixture.Model.ToJsonBytes())!;
        var member = json["members"]![0]!;
        json["members"] = new JsonArray(member.DeepClone());
        var single = FraudModel.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()));
        json["featurizer"] = member["featurizer"]!.DeepClone();
        json["trees"] = member["trees"]!.DeepClone();
        json.AsObject().Remove("members");
        json["schema_version"] = 1;

        var old = FraudModel.FromJson(Encoding.UTF8.GetBytes(json.ToJsonString()));

        Assert.Single(old.Members);
        Assert.Equal(fixture.Model.ModelId, old.ModelId);
        foreach (var basket in fixture.TestBaskets.Take(200))
        {
            var expected = single.PredictRaw(basket);
            Assert.Equal(expected, old.PredictRaw(basket));
            Assert.Equal(fixture.Model.Members[0].Trees.PredictRaw(Features(fixture.Model.Members[0], basket)), expected);
        }

        Assert.Equal(2, JsonNode.Parse(old.ToJsonBytes())!["schema_version"]!.GetValue<int>());
    }

    [Fact]
    public void RefusesPriceBandsOutOfOrder()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"]![0]!["featurizer"]!["price_bounds"] = new JsonArray(500.0, 100.0, 300.0, 800.0, 1500.0))));
        Assert.Contains("price bands", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsAModelOfLayout3WithItsFixedPriceBandsAndRefusesOlderOnes()
    {
        // A champion registered before layout 4 keeps serving after an upgrade: layout 3 stored no bands and named the
        // eight band features by the base currency's fixed bounds, which it used.
        var names = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["lines_price_p0_p10"] = "lines_price_under_25",
            ["lines_price_p10_p25"] = "lines_price_25_100",
            ["lines_price_p25_p45"] = "lines_price_100_300",
            ["lines_price_p45_p70"] = "lines_price_300_800",
            ["lines_price_p70_p90"] = "lines_price_800_1500",
            ["lines_price_p90_plus"] = "lines_price_1500_plus",
            ["max_quantity_price_p25_plus"] = "max_quantity_price_100_plus",
            ["max_quantity_price_p55_plus"] = "max_quantity_price_500_plus",
        };
        var layout3 = Edit(json =>
        {
            foreach (var member in json["members"]!.AsArray())
            {
                var featurizer = member!["featurizer"]!.AsObject();
                featurizer["version"] = 3;
                featurizer.Remove("price_bounds");
                featurizer.Remove("quantity_price_bounds");
            }

            var legacyNames = json["feature_names"]!.AsArray().Select(n => names.GetValueOrDefault(n!.GetValue<string>(), n!.GetValue<string>())).ToList();
            json["feature_names"] = new JsonArray([.. legacyNames.Select(n => (JsonNode)n)]);
            json["feature_schema_hash"] = FraudModel.SchemaHash(legacyNames, 3);
        });

        var model = FraudModel.FromJson(layout3);
        var featurizer = model.Members[0].Featurizer;
        Assert.Equal(3, featurizer.LayoutVersion);
        Assert.Contains("lines_price_1500_plus", featurizer.FeatureNames);
        Assert.Equal([25, 100, 300, 800, 1500], featurizer.PriceBands.Bounds);
        Assert.Equal([100, 500], featurizer.PriceBands.QuantityBounds);

        // A line at 1,299 falls in the 800-1,500 band of the fixed bounds, whatever the training prices were.
        var row = new float[featurizer.FeatureCount];
        featurizer.Featurize(new Basket("legacy", [new BasketItem("Computing", 1299, "Apple", "MacBook", "23900150", 1)]), row);
        Assert.Equal(1, row[featurizer.FeatureNames.ToList().IndexOf("lines_price_800_1500")]);

        // It scores, and writes itself back as layout 3 (the registry may re-save it).
        Assert.InRange(model.PredictProbability(new Basket("legacy", [new BasketItem("Computing", 1299, "Apple", "MacBook", "23900150", 1)])), 0, 1);
        Assert.Equal(3, FraudModel.FromJson(model.ToJsonBytes()).Members[0].Featurizer.LayoutVersion);

        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"]![0]!["featurizer"]!["version"] = 2)));
        Assert.Contains("layout version is 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultModelKeepsLayout4AndALayout5ModelRoundTripsWithItsDecileBounds()
    {
        // The default writes layout 4 exactly as before (no decile field), so its files and ids are unchanged.
        var layout4 = JsonNode.Parse(fixture.Model.ToJsonBytes())!;
        foreach (var member in layout4["members"]!.AsArray())
        {
            Assert.Equal(4, member!["featurizer"]!["version"]!.GetValue<int>());
            Assert.False(member["featurizer"]!.AsObject().ContainsKey("price_decile_bounds"));
        }

        // price_deciles=true writes layout 5 with the bounds, and it reloads to the same bytes and scores.
        var options = fixture.Options.WithParameter("num_rounds", "20").WithParameter("ensemble_members", "2").WithParameter("price_deciles", "true");
        var model = ModelTrainer.Train(fixture.TrainBaskets.Take(6000).ToList(), fixture.TrainLabels.Take(6000).ToList(), options).Model;
        var bytes = model.ToJsonBytes();
        var json = JsonNode.Parse(bytes)!;
        var featurizer = json["members"]![0]!["featurizer"]!;
        Assert.Equal(5, featurizer["version"]!.GetValue<int>());
        Assert.Equal(9, featurizer["price_decile_bounds"]!.AsArray().Count);
        Assert.Contains("lines_price_below_p50", model.FeatureNames);
        var reloaded = FraudModel.FromJson(bytes);
        Assert.Equal(model.ModelId, reloaded.ModelId);
        Assert.Equal(bytes, reloaded.ToJsonBytes());
        foreach (var basket in fixture.TestBaskets.Take(300))
        {
            Assert.Equal(model.PredictProbability(basket), reloaded.PredictProbability(basket));
        }

        // A layout-5 file that lost its bounds is refused, not scored with made-up ones.
        var broken = JsonNode.Parse(bytes)!;
        foreach (var member in broken["members"]!.AsArray())
        {
            member!["featurizer"]!.AsObject().Remove("price_decile_bounds");
        }

        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Encoding.UTF8.GetBytes(broken.ToJsonString())));
        Assert.Contains("price bands", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAFileWithoutMembers()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"] = new JsonArray())));
        Assert.Contains("no members", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesMissingCalibration()
    {
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json.AsObject().Remove("calibration"))));
        Assert.Contains("calibration", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Features(ModelMember member, Basket basket)
    {
        var row = new float[member.Featurizer.FeatureCount];
        member.Featurizer.Featurize(basket, row);
        return row;
    }

    private byte[] Edit(Action<JsonNode> change)
    {
        var json = JsonNode.Parse(fixture.Model.ToJsonBytes())!;
        change(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }
}
