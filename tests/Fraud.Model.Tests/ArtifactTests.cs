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
    public void RefusesAnOlderFeatureLayout()
    {
        // Layout 3 had the base currency's fixed price bands and no bounds in the file: its features cannot be rebuilt.
        var ex = Assert.Throws<ModelFormatException>(() => FraudModel.FromJson(Edit(json => json["members"]![0]!["featurizer"]!["version"] = 3)));
        Assert.Contains("layout version is 3", ex.Message, StringComparison.Ordinal);
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
