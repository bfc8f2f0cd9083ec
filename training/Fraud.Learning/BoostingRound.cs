namespace Fraud.Learning;

/// <summary>Progress of one boosting round (1-based), reported by <see cref="GbdtTrainer.Train"/>.</summary>
/// <param name="Round">Number of trees so far.</param>
/// <param name="TrainLogLoss">Unweighted mean log-loss on the training rows.</param>
/// <param name="ValidLogLoss">Mean log-loss on the validation rows, when a validation set was given.</param>
/// <param name="ValidPrAuc">Average precision on the validation rows, when a validation set was given.</param>
public sealed record BoostingRound(int Round, double TrainLogLoss, double? ValidLogLoss, double? ValidPrAuc);
