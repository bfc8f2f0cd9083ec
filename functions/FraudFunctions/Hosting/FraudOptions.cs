using System.ComponentModel.DataAnnotations;

namespace FraudFunctions.Hosting;

/// <summary>The handler's <c>Fraud__*</c> settings (docs/settings.md is the source of the names).</summary>
public sealed class FraudOptions
{
    public const string Section = "Fraud";

    /// <summary>Registry model name served as champion.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Fraud__ModelName must be lowercase letters, digits and dashes.")]
    public string ModelName { get; set; } = "basket-fraud";

    /// <summary>How often the champion alias is polled.</summary>
    [Range(1, 3600)]
    public int ModelPollSeconds { get; set; } = 30;

    /// <summary>Largest number of baskets accepted in one queued batch message.</summary>
    [Range(1, 100_000)]
    public int MaxBatchBaskets { get; set; } = 10_000;

    /// <summary>Standalone mode only: the key callers must send in <c>x-api-key</c>. Unset means loopback-only binding.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Rows generated to train a first champion when the store has none (standalone); 0 turns it off.</summary>
    [Range(0, 5_000_000)]
    public int BootstrapTrainingRows { get; set; } = 20_000;

    /// <summary>
    /// Seconds of (almost) no allocation after a burst before the GC's free memory is given back with one compacting
    /// collection (<see cref="IdleMemoryTrimmer"/>); 0 turns it off.
    /// </summary>
    [Range(0, 3600)]
    public int IdleTrimSeconds { get; set; } = 10;

    /// <summary>
    /// The largest share of the labelled traffic (the challenger's data and the promotion gate's holdout) one label
    /// source may supply when labels come from two or more sources; 1 turns the cap off (docs/settings.md).
    /// </summary>
    [Range(0.01, 1.0)]
    public double MaxLabelSourceShare { get; set; } = Fraud.Monitoring.MonitoringOptions.DefaultMaxLabelSourceShare;

    /// <summary>
    /// Rows the monitoring job retrains on at most (every labelled fraud, then the newest rows); bounds the timer's
    /// memory on a busy instance (docs/performance.md, "How cost grows").
    /// </summary>
    [Range(1_000, 100_000_000)]
    public int MaxTrainingRows { get; set; } = Fraud.Monitoring.MonitoringOptions.DefaultMaxTrainingRows;
}
