using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fraud.Baskets;
using Fraud.Model;
using Fraud.Model.Drift;
using Fraud.Monitoring.Telemetry;
using Fraud.Registry;
using Fraud.Registry.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fraud.Monitoring;

/// <summary>
/// One pass of the monitoring loop, as the <c>MonitorModel</c> timer and <c>fraud monitor</c> run it: drift check
/// on the recent prediction log, retraining triggers, a challenger trained on the base set plus labelled traffic,
/// and the promotion gate on the newest labels. Every run, whatever it decides, is a tracked run (kind
/// <c>monitor</c>) with the drift report beside it and the decision and reason as tags.
/// </summary>
public sealed class MonitoringJob(
    IBlobStore store,
    ModelRegistry registry,
    RunTracker tracker,
    FraudMetrics? metrics = null,
    ILogger? logger = null,
    TimeProvider? clock = null)
{
    public const string RunKind = "monitor";

    private readonly IBlobStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ModelRegistry _registry = registry ?? throw new ArgumentNullException(nameof(registry));
    private readonly RunTracker _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<MonitoringOutcome> RunAsync(MonitoringOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var total = Stopwatch.StartNew();
        var run = await _tracker.StartRunAsync(RunKind, Parameters(options), ct: ct);
        try
        {
            var outcome = await RunCoreAsync(run, options, total, ct);
            run.SetTag("decision", outcome.Decision);
            run.SetTag("reason", outcome.Reason);
            run.LogTiming("total", total.Elapsed);
            await run.CompleteAsync(ct: ct);
            return outcome with { RunId = run.RunId, TotalTime = total.Elapsed };
        }
        catch (Exception ex)
        {
            // The type and message only: exceptions from here never carry basket contents.
            await run.FailAsync($"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            throw;
        }
    }

    private async Task CompactPredictionLogAsync(TrackedRun run, MonitoringOptions options, CancellationToken ct)
    {
        if (options.CompactionLookback <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var compacted = await new PredictionLogCompactor(_store, _clock).CompactFinishedHoursAsync(options.CompactionLookback, ct);
            run.LogMetric("compacted_hours", compacted.Hours);
            run.LogMetric("compacted_files", compacted.FilesReplaced);
            var labels = await new LabelStore(_store, _clock).CompactFinishedHoursAsync(options.LabelLookback, ct);
            run.LogMetric("compacted_label_hours", labels.Hours);
            run.LogMetric("compacted_label_files", labels.FilesReplaced);
        }
        catch (Exception ex) when (ex is BlobStoreException or IOException or HttpRequestException or InvalidDataException)
        {
            // Compaction only saves reads later: a failure leaves the parts readable, and the next run tries again.
            _logger.LogWarning("Prediction log compaction failed ({Error}); the parts stay as they are.", ex.GetType().Name);
        }
    }

    private async Task<MonitoringOutcome> RunCoreAsync(TrackedRun run, MonitoringOptions options, Stopwatch total, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var champion = await _registry.GetAliasAsync(ModelAliases.Champion, ct);
        if (champion is null)
        {
            return new MonitoringOutcome { Decision = MonitoringDecisions.NoChampion, Reason = $"{_registry.ModelName} has no champion yet: nothing to monitor." };
        }

        var (championModel, card) = await _registry.LoadAsync(champion.Version, ct);
        run.SetTag("champion", champion.Version);

        // 0. The prediction log's finished hours become one file each (fewer, larger reads for everything below).
        var stage = Stopwatch.StartNew();
        await CompactPredictionLogAsync(run, options, ct);
        run.LogTiming("compaction", stage.Elapsed);

        // 1. Drift on the recent window (the basket columns only: scores are not read).
        stage.Restart();
        var from = now - options.DriftWindow;
        var window = new List<Basket>();
        await foreach (var record in new PredictionLogReader(_store).ReadWindowAsync(from, now, PredictionParquet.Columns.BasketsOnly, ct))
        {
            window.Add(record.Basket);
        }

        // Labels that arrived within the lookback: a label for a basket scored in it cannot have arrived earlier.
        var allLabels = await new LabelStore(_store, _clock).ReadWindowAsync(now - options.LabelLookback, now.AddMinutes(1), ct);
        var latestLabels = LabelStore.LatestById(allLabels);
        var source = string.Create(CultureInfo.InvariantCulture, $"prediction log {from:u} to {now:u}");
        var drift = new DriftCheck(options.Drift, metrics, _clock).Run(championModel, card, champion.Version, window, source, latestLabels, options.Threads);
        // The window's baskets are done with: an async method's locals live as long as the method, so let them go now
        // rather than through the retraining read and the training below.
        window.Clear();
        window.TrimExcess();
        var reportBlobs = await SaveDriftReportAsync(run, drift, ct);
        var driftTime = stage.Elapsed;
        run.LogTiming("drift", driftTime);

        // 2. Labels joined to the log, and the triggers.
        stage.Restart();
        // Streamed, and the basket columns only (the join needs id, time and lines): only labelled baskets are held.
        var logged = new PredictionLogReader(_store).ReadWindowAsync(now - options.LabelLookback, now.AddMinutes(1), PredictionParquet.Columns.BasketsOnly, ct);
        var join = await TrainingSetBuilder.JoinAsync(logged, allLabels, ct);
        var newLabels = join.Matched.Count(m => m.LabelledAt > card.TrainedAt);
        run.LogMetric("labelled_baskets", join.Matched.Count);
        run.LogMetric("new_labels", newLabels);
        run.LogMetric("labels_without_prediction", join.LabelsWithoutPrediction);
        var age = now - card.TrainedAt;
        run.LogMetric("champion_age_days", age.TotalDays);

        var triggers = new List<string>();
        if (options.Force)
        {
            triggers.Add("forced");
        }

        if (options.RetrainOnDrift && drift.Alert)
        {
            triggers.Add("drift");
        }

        if (newLabels >= options.MinNewLabels && newLabels > 0)
        {
            triggers.Add("new-labels");
        }

        if (age >= options.MaxModelAge)
        {
            triggers.Add("model-age");
        }

        run.SetTag("triggers", triggers.Count == 0 ? "none" : string.Join(',', triggers));
        var outcome = new MonitoringOutcome
        {
            Decision = MonitoringDecisions.NoRetrain,
            Reason = string.Empty,
            ChampionVersion = champion.Version,
            Drift = drift,
            DriftReportBlobs = reportBlobs,
            Triggers = triggers,
            NewLabels = newLabels,
            LabelledBaskets = join.Matched.Count,
            DriftTime = driftTime,
        };
        if (triggers.Count == 0)
        {
            return outcome with
            {
                DataTime = stage.Elapsed,
                Reason = string.Create(CultureInfo.InvariantCulture,
                    $"no trigger: drift verdict {drift.Verdict} ({drift.Reason}), {newLabels} new labels (< {options.MinNewLabels}), champion {age.TotalDays:F1} days old (< {options.MaxModelAge.TotalDays:F0})"),
            };
        }

        // 3. Training set: base data + older labelled traffic; the newest labels are the gate's holdout.
        var baseSet = await new TrainingDataStore(_store).LoadBaseAsync(ct);
        var set = TrainingSetBuilder.Build(baseSet?.Baskets, baseSet?.Labels, join.Matched, options.HoldoutFraction, options.MinHoldoutRows, options.MaxLabelSourceShare, options.MaxTrainingRows);
        var share = options.MaxLabelSourceShare;
        foreach (var (labelSource, count) in set.CappedBySource)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("Monitoring: {Count} labels from source {Source} left out (over the {Share:P0} share one source may supply).", count, labelSource, share);
            }

            run.LogMetric("labels_over_source_share", count);
            run.SetTag("capped_label_source", labelSource);
        }

        var dataTime = stage.Elapsed;
        run.LogTiming("data", dataTime);
        run.LogMetric("base_rows", set.BaseRows);
        run.LogMetric("training_rows", set.TrainBaskets.Count);
        run.LogMetric("training_rows_over_cap", set.RowsOverCap);
        run.LogMetric("holdout_rows", set.HoldoutBaskets.Count);
        run.LogMetric("holdout_frauds", set.HoldoutFrauds);
        outcome = outcome with { DataTime = dataTime, TrainingRows = set.TrainBaskets.Count };
        var triggered = string.Join(", ", triggers);
        if (set.HoldoutBaskets.Count < options.Gate.MinHoldoutRows || set.HoldoutFrauds < options.Gate.MinHoldoutFrauds)
        {
            return outcome with
            {
                Decision = MonitoringDecisions.Skipped,
                Reason = string.Create(CultureInfo.InvariantCulture,
                    $"triggered by {triggered}, but only {set.HoldoutBaskets.Count} recent labelled baskets ({set.HoldoutFrauds} frauds) to judge a challenger on; need {options.Gate.MinHoldoutRows} and {options.Gate.MinHoldoutFrauds}"),
            };
        }

        if (baseSet is null)
        {
            _logger.LogWarning("Monitoring: no base training set in the store; the challenger trains on labelled traffic only.");
            run.SetTag("base_training_set", "missing");
        }

        // 4. Challenger.
        stage.Restart();
        TrainingResult result;
        try
        {
            result = ModelTrainer.Train(set.TrainBaskets, set.TrainLabels, options.Training with { Threads = options.Threads }, null, ct);
        }
        catch (ArgumentException ex)
        {
            return outcome with { Decision = MonitoringDecisions.Skipped, Reason = $"triggered by {triggered}, but the challenger could not be trained: {ex.Message}" };
        }

        await run.RecordResultAsync(result, ct: ct);
        var challenger = await _registry.RegisterAsync(result, new RegistrationInfo(run.RunId, champion.Version, null, "monitoring retrain", $"triggered by {triggered}"), ct);
        run.SetRegisteredVersion(challenger.Version);
        await _registry.PromoteAsync(challenger.Version, ModelAliases.Challenger, $"retrained by monitoring run {run.RunId} ({triggered})", ct);
        var trainingTime = stage.Elapsed;
        run.LogTiming("retrain", trainingTime);
        outcome = outcome with { ChallengerVersion = challenger.Version, TrainingTime = trainingTime };

        // 5. Gate on the same recent holdout for both.
        stage.Restart();
        var gate = PromotionGate.Evaluate(championModel, result.Model, set.HoldoutBaskets, set.HoldoutLabels, options.Gate, options.Threads);
        LogGate(run, gate);
        outcome = outcome with { Gate = gate, GateTime = stage.Elapsed };
        if (!gate.Promote)
        {
            run.LogTiming("gate", stage.Elapsed);
            return outcome with { Decision = MonitoringDecisions.KeptChampion, Reason = $"challenger {challenger.Version} stays challenger: {gate.Reason}" };
        }

        try
        {
            await _registry.PromoteAsync(challenger.Version, ModelAliases.Champion, $"monitoring run {run.RunId}: {gate.Reason}", champion.Version, ct);
        }
        catch (RegistryConflictException ex)
        {
            return outcome with { Decision = MonitoringDecisions.KeptChampion, Reason = $"challenger {challenger.Version} passed the gate but the champion changed meanwhile: {ex.Message}" };
        }

        run.LogTiming("gate", stage.Elapsed);
        metrics?.RaiseEvent(FraudMetrics.ModelPromotedEvent, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["modelName"] = _registry.ModelName,
            ["version"] = challenger.Version,
            ["previousVersion"] = champion.Version,
            ["runId"] = run.RunId,
            ["triggers"] = triggered,
            ["challengerPrAuc"] = gate.ChallengerPrAuc.ToString("F4", CultureInfo.InvariantCulture),
            ["championPrAuc"] = gate.ChampionPrAuc.ToString("F4", CultureInfo.InvariantCulture),
        });
        return outcome with
        {
            Decision = MonitoringDecisions.Promoted,
            ChampionVersion = challenger.Version,
            GateTime = stage.Elapsed,
            Reason = $"challenger {challenger.Version} promoted over {champion.Version}: {gate.Reason}",
        };
    }

    private static async Task<IReadOnlyList<string>> SaveDriftReportAsync(TrackedRun run, DriftReport drift, CancellationToken ct)
    {
        await run.SaveArtifactAsync("drift-report.json", Encoding.UTF8.GetBytes(drift.ToJson()), "application/json", ct);
        await run.SaveArtifactAsync("drift-report.html", Encoding.UTF8.GetBytes(DriftReportHtml.Render(drift)), "text/html; charset=utf-8", ct);
        run.LogMetric("drift_score_psi", drift.ScorePsi);
        run.LogMetric("drift_drifted_share", drift.DriftedShare);
        run.LogMetric("drift_dataset_drift", drift.DatasetDrift ? 1 : 0);
        run.LogMetric("drift_rows", drift.CurrentRows);
        run.LogMetric("drift_verdict", drift.Verdict == DriftStatus.Alert ? 2 : drift.Verdict == DriftStatus.Warn ? 1 : 0);
        if (drift.Classifier is { Skipped: null } classifier)
        {
            run.LogMetric("drift_classifier_auc", classifier.Auc);
            run.LogMetric("drift_classifier_alert_auc", classifier.AlertAuc);
        }

        if (drift.DriftedImportanceShare is { } importanceShare)
        {
            run.LogMetric("drift_importance_share", importanceShare);
        }

        run.SetTag("drift_verdict", drift.Verdict);
        run.LogMetric("drift_observed_fraud_rate", drift.ObservedFraudRate);
        // Where RunTracker keeps artifacts: runs/<runId>/artifacts/<name>.
        return [$"{run.RunId}/artifacts/drift-report.json", $"{run.RunId}/artifacts/drift-report.html"];
    }

    private static void LogGate(TrackedRun run, GateDecision gate)
    {
        run.LogMetric("gate_holdout_rows", gate.HoldoutRows);
        run.LogMetric("gate_holdout_frauds", gate.HoldoutFrauds);
        if (!double.IsNaN(gate.ChampionPrAuc))
        {
            run.LogMetric("gate_champion_pr_auc", gate.ChampionPrAuc);
            run.LogMetric("gate_challenger_pr_auc", gate.ChallengerPrAuc);
            run.LogMetric("gate_champion_log_loss", gate.ChampionLogLoss);
            run.LogMetric("gate_challenger_log_loss", gate.ChallengerLogLoss);
        }

        run.LogMetric("gate_promote", gate.Promote ? 1 : 0);
    }

    private static Dictionary<string, string> Parameters(MonitoringOptions options) => new(StringComparer.Ordinal)
    {
        ["drift_window_hours"] = options.DriftWindow.TotalHours.ToString("G", CultureInfo.InvariantCulture),
        ["warn_psi"] = options.Drift.WarnPsi.ToString("G", CultureInfo.InvariantCulture),
        ["alert_psi"] = options.Drift.AlertPsi.ToString("G", CultureInfo.InvariantCulture),
        ["dataset_drift_share"] = options.Drift.DatasetDriftShare.ToString("G", CultureInfo.InvariantCulture),
        ["min_new_labels"] = options.MinNewLabels.ToString(CultureInfo.InvariantCulture),
        ["max_model_age_days"] = options.MaxModelAge.TotalDays.ToString("G", CultureInfo.InvariantCulture),
        ["holdout_fraction"] = options.HoldoutFraction.ToString("G", CultureInfo.InvariantCulture),
        ["min_pr_auc_gain"] = options.Gate.MinPrAucGain.ToString("G", CultureInfo.InvariantCulture),
        ["max_log_loss_increase"] = options.Gate.MaxLogLossIncrease.ToString("G", CultureInfo.InvariantCulture),
        ["max_label_source_share"] = options.MaxLabelSourceShare.ToString("G", CultureInfo.InvariantCulture),
        ["max_training_rows"] = options.MaxTrainingRows.ToString(CultureInfo.InvariantCulture),
        ["label_lookback_days"] = options.LabelLookback.TotalDays.ToString("G", CultureInfo.InvariantCulture),
        ["force"] = options.Force ? "true" : "false",
        ["seed"] = options.Training.Seed.ToString(CultureInfo.InvariantCulture),
    };
}
