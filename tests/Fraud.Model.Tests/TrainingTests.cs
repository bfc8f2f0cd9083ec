using Fraud.Learning;
using Fraud.Model;
using Fraud.Model.Features;

namespace Fraud.Model.Tests;

public sealed class TrainingTests(TrainedModelFixture fixture) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void TrainedModelRanksUnseenBasketsBetterThanTheLogisticBaseline()
    {
        var probabilities = new double[fixture.TestBaskets.Count];
        fixture.Model.ScoreMany(fixture.TestBaskets, probabilities);
        var model = Metrics.AveragePrecision(probabilities, fixture.TestLabels);
        var baseline = Metrics.AveragePrecision(fixture.Result.Baseline.PredictProbabilities(fixture.TestBaskets), fixture.TestLabels);
        var fraudRate = fixture.TestLabels.Count(l => l) / (double)fixture.TestLabels.Length;

        Assert.True(model > baseline, $"trees PR-AUC {model:F4} should beat the baseline's {baseline:F4}");
        Assert.True(model > 4 * fraudRate, $"trees PR-AUC {model:F4} should be far above the fraud rate {fraudRate:F4}");
    }

    [Fact]
    public void DeclineThresholdIsStricterThanReview()
    {
        var thresholds = fixture.Model.Thresholds;
        Assert.InRange(thresholds.Review, 1e-6, 1);
        Assert.True(thresholds.Decline > thresholds.Review, $"decline {thresholds.Decline} must be above review {thresholds.Review}");
        var review = fixture.Result.Card.Metrics.Thresholds.Single(t => t.Name == "review");
        var decline = fixture.Result.Card.Metrics.Thresholds.Single(t => t.Name == "decline");
        Assert.True(decline.FlaggedShare <= review.FlaggedShare);
    }

    [Fact]
    public void CardDescribesTheRunAndTheData()
    {
        var card = fixture.Result.Card;
        Assert.Equal(fixture.Model.ModelId, card.ModelId);
        Assert.Equal(fixture.TrainBaskets.Count, card.Rows);
        Assert.Equal(card.Rows, card.TrainingRows + card.ValidationRows + card.CalibrationRows + card.TestRows);
        Assert.Equal(DataFingerprint.Compute(fixture.TrainBaskets, fixture.TrainLabels), card.DataFingerprint);
        Assert.Matches("^[0-9a-f]{64}$", card.DataFingerprint);
        Assert.Equal("5", card.Parameters["seed"]);
        Assert.NotEmpty(card.Importance);
        Assert.NotNull(card.Reference);
        Assert.Equal(fixture.Model.FeatureCount, card.Reference!.Features.Count);
        Assert.InRange(card.Metrics.PrAuc, 0.01, 1);

        // The drift reference holds every row some member did not learn from, each profiled by that member.
        Assert.Equal(card.ValidationRows + card.CalibrationRows + card.TestRows, card.Reference.Rows);
        Assert.Equal(fixture.Model.Members.Count, card.Reference.MemberCount);
        Assert.Equal(Math.Min(card.Reference.Rows, new Fraud.Model.Drift.DriftOptions().ReferenceSampleRows), card.Reference.Sample.Count);
        Assert.Equal(Enumerable.Range(0, fixture.Model.Members.Count), card.Reference.SampleMembers.Distinct().Order());

        var reloaded = ModelCard.FromJson(card.ToJsonBytes());
        Assert.Equal(card.Reference.Sample.Count, reloaded.Reference!.Sample.Count);
        Assert.Equal(card.Reference.Sample[^1].Items, reloaded.Reference.Sample[^1].Items);
        Assert.Equal(card.DataFingerprint, reloaded.DataFingerprint);
        Assert.Equal(card.Metrics.PrAuc, reloaded.Metrics.PrAuc);
        Assert.Contains("\"pr_auc\"", System.Text.Encoding.UTF8.GetString(card.ToJsonBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public void FingerprintChangesWhenOneLabelChanges()
    {
        var labels = fixture.TrainLabels.ToArray();
        var before = DataFingerprint.Compute(fixture.TrainBaskets, labels);
        labels[17] = !labels[17];
        Assert.NotEqual(before, DataFingerprint.Compute(fixture.TrainBaskets, labels));
    }

    [Fact]
    public void ReportIsSelfContainedHtmlWithCharts()
    {
        var html = fixture.Result.ReportHtml;
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.True(html.Split("<svg").Length - 1 >= 3, "PR curve, calibration and importance charts expected");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains(fixture.Model.ModelId, html, StringComparison.Ordinal);
    }

    [Fact]
    public void SameSeedAndDataGiveTheSameModelWhateverTheThreadCount()
    {
        var rows = fixture.TrainBaskets.Take(4000).ToList();
        var labels = fixture.TrainLabels.Take(4000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "20");
        var one = ModelTrainer.Train(rows, labels, options with { Threads = 1 });
        var two = ModelTrainer.Train(rows, labels, options with { Threads = 2 });
        Assert.Equal(one.Model.ModelId, two.Model.ModelId);
        foreach (var basket in fixture.TestBaskets.Take(200))
        {
            Assert.Equal(one.Model.PredictProbability(basket), two.Model.PredictProbability(basket));
        }

        // Members train one at a time on one thread and two at a time on two, and the baseline trains beside the
        // second member: the baseline and the drift reference do not depend on that either.
        var sample = fixture.TestBaskets.Take(200).ToList();
        Assert.Equal(one.Baseline.PredictProbabilities(sample), two.Baseline.PredictProbabilities(sample));
        Assert.Equal(one.Card.BaselineMetrics.PrAuc, two.Card.BaselineMetrics.PrAuc);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(one.Card.Reference, Fraud.Model.Drift.DriftJsonContext.Default.ReferenceProfile),
            System.Text.Json.JsonSerializer.Serialize(two.Card.Reference, Fraud.Model.Drift.DriftJsonContext.Default.ReferenceProfile));
    }

    [Fact]
    public void AboveTheLargeDataRowsTrainingUsesTheRulesOptionsAndStaysDeterministic()
    {
        var rows = fixture.TrainBaskets.Take(4000).ToList();
        var labels = fixture.TrainLabels.Take(4000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "20");

        // At the threshold the rule is off: the model is the one trained without any rule.
        var atThreshold = ModelTrainer.Train(rows, labels, options with { LargeDataRows = 4000 });
        var ruleOff = ModelTrainer.Train(rows, labels, options with { LargeDataRows = 0 });
        Assert.Equal(ruleOff.Model.ModelId, atThreshold.Model.ModelId);
        Assert.Equal(4, atThreshold.Model.Members.Count);

        // Above it: two members, 8 × 2000 / 4000 = 4 line-model passes and early-stopping patience 40 × 2000 / 4000
        // = 20 (the fixture's patience is 40), exactly the model those options train, recorded in the card, and the
        // same model on one thread as on several.
        var above = ModelTrainer.Train(rows, labels, options with { LargeDataRows = 2000 });
        var again = ModelTrainer.Train(rows, labels, options with { LargeDataRows = 2000, Threads = 1 });
        var explicitly = ModelTrainer.Train(rows, labels, options with { LargeDataRows = 0, EnsembleMembers = 2, Featurizer = options.Featurizer with { LineModelEpochs = 4 }, Gbdt = options.Gbdt with { EarlyStoppingRounds = 20 } });
        Assert.Equal(2, above.Model.Members.Count);
        Assert.Equal("2", above.Card.Parameters["ensemble_members"]);
        Assert.Equal("4", above.Card.Parameters["line_model_epochs"]);
        Assert.Equal("20", above.Card.Parameters["early_stopping_rounds"]);
        Assert.Equal(explicitly.Model.ModelId, above.Model.ModelId);
        Assert.Equal(above.Model.ModelId, again.Model.ModelId);
        Assert.NotEqual(ruleOff.Model.ModelId, above.Model.ModelId);

        // The logistic baseline (the card's reference point) learns from a row sample under the rule: the same
        // baseline whatever the thread count, not the one the same options train from every row.
        var sample = fixture.TestBaskets.Take(200).ToList();
        Assert.Equal(above.Baseline.PredictProbabilities(sample), again.Baseline.PredictProbabilities(sample));
        Assert.NotEqual(explicitly.Baseline.PredictProbabilities(sample), above.Baseline.PredictProbabilities(sample));
    }

    [Fact]
    public void PriceDecilesGiveTheSameModelForTheSameSeedAndDataWhateverTheThreadCount()
    {
        var rows = fixture.TrainBaskets.Take(4000).ToList();
        var labels = fixture.TrainLabels.Take(4000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "20").WithParameter("price_deciles", "true");
        var one = ModelTrainer.Train(rows, labels, options with { Threads = 1 });
        var two = ModelTrainer.Train(rows, labels, options with { Threads = 2 });
        Assert.Equal(one.Model.ModelId, two.Model.ModelId);
        foreach (var basket in fixture.TestBaskets.Take(200))
        {
            Assert.Equal(one.Model.PredictProbability(basket), two.Model.PredictProbability(basket));
        }

        Assert.Equal("true", one.Card.Parameters["price_deciles"]);
        Assert.NotEqual(ModelTrainer.Train(rows, labels, options.WithParameter("price_deciles", "false")).Model.ModelId, one.Model.ModelId);
    }

    [Fact]
    public void EnsembleMembersLearnTheirOwnEncodingsAndAreAveraged()
    {
        var rows = fixture.TrainBaskets.Take(6000).ToList();
        var labels = fixture.TrainLabels.Take(6000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "30").WithParameter("min_rounds", "0").WithParameter("ensemble_members", "3");
        var first = ModelTrainer.Train(rows, labels, options);
        var again = ModelTrainer.Train(rows, labels, options with { Threads = 1 });
        var model = first.Model;

        Assert.Equal(model.ModelId, again.Model.ModelId);
        Assert.Equal(3, model.Members.Count);
        Assert.Equal("3", first.Card.Parameters["ensemble_members"]);
        Assert.Equal(model.Members.Sum(m => m.Trees.TreeCount), first.Card.TreeCount);
        // Three validation folds of about a fifth each, every row in exactly one part.
        Assert.InRange(first.Card.ValidationRows, 0.5 * rows.Count, 0.65 * rows.Count);
        Assert.Equal(rows.Count, first.Card.TrainingRows + first.Card.ValidationRows + first.Card.CalibrationRows + first.Card.TestRows);

        // Members learnt from different rows, so the same basket gets different encodings from each; the model's
        // log-odds are their mean, and an explanation still adds up to them.
        var row = new float[model.FeatureCount];
        var distinct = 0;
        foreach (var basket in fixture.TestBaskets.Take(50))
        {
            var memberRaw = model.Members.Select(m =>
            {
                m.Featurizer.Featurize(basket, row);
                return m.Trees.PredictRaw(row);
            }).ToArray();
            distinct += memberRaw.Distinct().Count() == 3 ? 1 : 0;
            // The model featurizes for all members in one pass over merged tables: exactly what each member's own
            // featurizer gives, so the mean matches to the last bit when summed in member order.
            var sum = 0.0;
            foreach (var raw in memberRaw)
            {
                sum += raw;
            }

            Assert.Equal(sum / 3, model.PredictRaw(basket));
            var explanation = model.Explain(basket);
            Assert.Equal(explanation.RawScore, explanation.BaseValue + explanation.Reasons.Sum(r => r.Contribution), 6);
        }

        Assert.True(distinct >= 45, $"only {distinct} of 50 baskets scored differently by each member");

        // Feature by feature: the joint pass over merged tables writes each member's row exactly as the member's own
        // featurizer does, also for keys that some members kept and others did not (those read as that member's prior).
        var joint = new JointFeaturizer([.. model.Members.Select(m => m.Featurizer)]);
        var jointRows = new float[3 * model.FeatureCount];
        var partlyKnown = 0;
        foreach (var basket in fixture.TestBaskets.Take(2000))
        {
            joint.Featurize(basket, jointRows);
            for (var m = 0; m < 3; m++)
            {
                model.Members[m].Featurizer.Featurize(basket, row);
                Assert.Equal(row, jointRows.AsSpan(m * model.FeatureCount, model.FeatureCount).ToArray());
            }

            partlyKnown += basket.Items.Any(i => model.Members.Select(m => m.Featurizer.ModelTable.Index.ContainsKey(TextKeys.ToKey(i.Model))).Distinct().Count() == 2) ? 1 : 0;
        }

        Assert.True(partlyKnown > 0, "no test basket had a model name that only some members kept");
        var reloaded = FraudModel.FromJson(model.ToJsonBytes());
        Assert.Equal(3, reloaded.Members.Count);
        Assert.All(fixture.TestBaskets.Take(100), b => Assert.Equal(model.PredictProbability(b), reloaded.PredictProbability(b)));
    }

    [Fact]
    public void StudentTargetsComeFromTheTeacherThatHeldEachRowOut()
    {
        // Two teachers over four folds of two rows each (basket indices 0-7): teacher 0 stopped early on fold 0, teacher
        // 1 on fold 1; folds 2 and 3 were in both teachers' training rows.
        int[][] folds = [[0, 1], [2, 3], [4, 5], [6, 7]];
        bool[] labels = [true, false, false, true, false, true, true, false];
        double[][] outOfBag = [[2.0, -1.0], [0.5, -3.0]];
        var (studentFolds, target) = ModelTrainer.StudentTargets(labels, folds, outOfBag, 0.25);

        // The student holds out the first fold no teacher stopped on (fold 2) and learns from the others.
        Assert.Equal(new[] { 4, 5 }, studentFolds[0]);
        Assert.Equal(new[] { new[] { 0, 1 }, new[] { 2, 3 }, new[] { 6, 7 } }, studentFolds[1..]);
        static float Soft(double y, double raw) => (float)((0.75 * y) + (0.25 / (1 + Math.Exp(-raw))));
        // Each row's target blends its label with the score of the teacher that never learnt from it...
        Assert.Equal(Soft(1, 2.0), target[0]);
        Assert.Equal(Soft(0, -1.0), target[1]);
        Assert.Equal(Soft(0, 0.5), target[2]);
        Assert.Equal(Soft(1, -3.0), target[3]);
        // ...and a row no teacher held out keeps its label.
        Assert.Equal(new[] { 1f, 0f }, target[6..8]);

        // With as many teachers as folds the validation part (fold 0) is held out, and every other row has a teacher.
        var (allFolds, allTarget) = ModelTrainer.StudentTargets(labels[..4], [[0, 1], [2, 3]], [[2.0, -1.0], [0.5, -3.0]], 1.0);
        Assert.Equal(new[] { 0, 1 }, allFolds[0]);
        Assert.Equal((float)(1 / (1 + Math.Exp(-0.5))), allTarget[2]);

        // From the ensemble's mean instead: every student row, teacher scores averaged in member order.
        var trainRaw = new double[][] { [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0] };
        var trainRows = new int[][] { [2, 3, 4, 5, 6, 7], [0, 1, 4, 5, 6, 7] };
        var mean = ModelTrainer.EnsembleRaw(8, folds, outOfBag, trainRows, trainRaw);
        Assert.Equal((2.0 - 1.0) / 2, mean[0]);
        Assert.Equal((1.0 - 3.0) / 2, mean[3]);
        Assert.Equal(0, mean[6]);
        var (_, meanTarget) = ModelTrainer.StudentTargets(labels, folds, outOfBag, 1.0, mean);
        Assert.Equal(0.5f, meanTarget[6]);
        Assert.Equal((float)(1 / (1 + Math.Exp(1.0))), meanTarget[3]);
    }

    [Fact]
    public void DistillShipsOneStudentThatScoresExplainsReloadsAndIsDeterministic()
    {
        var rows = fixture.TrainBaskets.Take(6000).ToList();
        var labels = fixture.TrainLabels.Take(6000).ToList();
        var options = fixture.Options.WithParameter("num_rounds", "40").WithParameter("min_rounds", "20").WithParameter("ensemble_members", "2");
        var teachers = ModelTrainer.Train(rows, labels, options);
        var stages = new List<string>();
        var student = ModelTrainer.Train(rows, labels, options.WithParameter("distill", "0.5"), p => stages.Add(p.Detail));
        var again = ModelTrainer.Train(rows, labels, options.WithParameter("distill", "0.5") with { Threads = 1 });

        // Two teachers trained, then one student: the model's only member, whose trees the card counts.
        Assert.Contains(stages, m => m.StartsWith("member 2/2", StringComparison.Ordinal));
        Assert.Contains(stages, m => m.StartsWith("student: round", StringComparison.Ordinal));
        Assert.Equal(2, teachers.Model.Members.Count);
        Assert.Single(student.Model.Members);
        Assert.Equal(student.Model.Members[0].Trees.TreeCount, student.Card.TreeCount);
        Assert.Equal("0.5", student.Card.Parameters["distill"]);
        Assert.InRange(student.LearningCurve.Count, student.Card.TreeCount, 40);
        // The student learns from every fold but one (the fold neither teacher stopped early on) and is calibrated on it.
        Assert.Equal(rows.Count, student.Card.TrainingRows + student.Card.ValidationRows + student.Card.CalibrationRows + student.Card.TestRows);
        Assert.InRange(student.Card.ValidationRows, 0.15 * rows.Count, 0.22 * rows.Count);
        Assert.InRange(student.Card.TrainingRows, 0.7 * rows.Count, 0.8 * rows.Count);
        Assert.Equal(1, student.Card.Reference!.MemberCount);

        // Same seed, same student, whatever the thread count; and not the teachers' model. The model id is the SHA-256
        // of the whole artifact but its id and creation time, so equal ids are equal models (comparing the files' bytes
        // or lengths would compare the two trainings' clocks too: a creation time can print one digit shorter).
        Assert.Equal(student.Model.ModelId, again.Model.ModelId);
        Assert.NotEqual(teachers.Model.ModelId, student.Model.ModelId);
        foreach (var basket in fixture.TestBaskets.Take(100))
        {
            Assert.Equal(student.Model.PredictProbability(basket), again.Model.PredictProbability(basket));
            var explanation = student.Model.Explain(basket);
            Assert.Equal(explanation.RawScore, explanation.BaseValue + explanation.Reasons.Sum(r => r.Contribution), 6);
        }

        var reloaded = FraudModel.FromJson(student.Model.ToJsonBytes());
        Assert.Single(reloaded.Members);
        Assert.All(fixture.TestBaskets.Take(100), b => Assert.Equal(student.Model.PredictProbability(b), reloaded.PredictProbability(b)));

        // Still a working fraud model on unseen baskets.
        var probabilities = new double[fixture.TestBaskets.Count];
        student.Model.ScoreMany(fixture.TestBaskets, probabilities);
        var fraudRate = fixture.TestLabels.Count(l => l) / (double)fixture.TestLabels.Length;
        Assert.True(Metrics.AveragePrecision(probabilities, fixture.TestLabels) > 3 * fraudRate);

        // From the teachers' mean instead: another student, one member, the same whatever the thread count.
        var meanOptions = options.WithParameter("distill", "0.5").WithParameter("distill_ensemble_mean", "true");
        var fromMean = ModelTrainer.Train(rows, labels, meanOptions);
        var fromMeanAgain = ModelTrainer.Train(rows, labels, meanOptions with { Threads = 1 });
        Assert.Single(fromMean.Model.Members);
        Assert.Equal(fromMean.Model.ModelId, fromMeanAgain.Model.ModelId);
        Assert.NotEqual(student.Model.ModelId, fromMean.Model.ModelId);
        Assert.Equal("true", fromMean.Card.Parameters["distill_ensemble_mean"]);
    }

    [Fact]
    public void CancellingWhileMembersTrainSideBySideThrowsTheCancellationItself()
    {
        // Members train two at a time; a caller (Ctrl+C in the CLI, the retraining job's shutdown) still gets an
        // OperationCanceledException, not an AggregateException it would report as a crash.
        using var cancel = new CancellationTokenSource();
        var options = fixture.Options.WithParameter("ensemble_members", "3");
        var boosted = 0;
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => ModelTrainer.Train(
            fixture.TrainBaskets.Take(6000).ToList(),
            fixture.TrainLabels.Take(6000).ToList(),
            options,
            p =>
            {
                if (p.Stage == "boost" && ++boosted == 20)
                {
                    cancel.Cancel();
                }
            },
            cancel.Token));
        Assert.Equal(cancel.Token, ex.CancellationToken);
    }

    [Fact]
    public void RefusesMoreMembersThanTheValidationShareLeavesFoldsFor()
    {
        var options = fixture.Options.WithParameter("ensemble_members", "6");
        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(fixture.TrainBaskets.Take(3000).ToList(), fixture.TrainLabels.Take(3000).ToList(), options));
        Assert.Contains("ensemble_members", ex.Message, StringComparison.Ordinal);
        Assert.Contains("validation_fraction", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => options.WithParameter("ensemble_members", "0"));
    }

    [Fact]
    public void RefusesLabelsThatDoNotMatchTheBaskets()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(fixture.TrainBaskets, fixture.TrainLabels.Take(10).ToList(), fixture.Options));
        Assert.Contains("labels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesDataWithoutEnoughFrauds()
    {
        var labels = new bool[fixture.TrainBaskets.Count];
        var ex = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(fixture.TrainBaskets, labels, fixture.Options));
        Assert.Contains("fraudulent baskets", ex.Message, StringComparison.Ordinal);
    }
}
