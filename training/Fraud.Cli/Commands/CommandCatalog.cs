using System.CommandLine;

namespace Fraud.Cli.Commands;

/// <summary>Every verb of the CLI, in the order `fraud --help` lists them. Add a verb here.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        // ML.NET's learners (--param learner=fasttree|lightgbm) are the CLI's to offer; the model library has only its own.
        Fraud.Model.MLNet.MLNetTreeLearner.RegisterAll();
        yield return GenerateCommand.Create();
        yield return GenerateCommand.CreateData();
        yield return LoadTestCommand.Create();
        yield return BareReference.Create();
        yield return DriftCommand.Create();
        yield return LogCommand.Create();
        yield return SimulateCommand.Create();
        yield return MonitorCommand.Create();
        yield return TrainCommand.Create();
        yield return ScoreCommand.Create();
        yield return SubmitCommand.Create();
        yield return ResultsCommand.Create();
        yield return EvaluateCommand.Create();
        yield return ExplainCommand.Create();
        yield return BenchCommand.Create();
        yield return CostCommand.Create();
        yield return CostWorker.Create();
        yield return RegistryCommand.Create();
        yield return RunsCommand.Create();
        yield return TuneCommand.Create();
    }
}
