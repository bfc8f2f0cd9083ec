namespace FraudFunctions.Composition;

/// <summary>
/// What the first-start training is doing, for <c>/api/health</c> and the 503 of the scoring endpoints while no
/// champion exists yet. Written by <see cref="ChampionBootstrapper"/>, read by requests: one volatile reference.
/// </summary>
public sealed class BootstrapProgress
{
    /// <summary>The model state reported while the first model trains.</summary>
    public const string TrainingState = "training-first-model";

    private volatile string? _activity;

    /// <summary>Null when no first model is being trained; otherwise a sentence with the stage and elapsed time.</summary>
    public string? Activity => _activity;

    public void Report(string? activity) => _activity = activity;
}
