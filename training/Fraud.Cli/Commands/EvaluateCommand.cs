using System.CommandLine;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;
using Fraud.Model;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud evaluate</c>: metrics of a trained model on a labelled file, as JSON (stdout, or a file with --output).</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder (holding model.json) or a model.json file.", Required = true };
        var data = new Option<string>("--data") { Description = "Features CSV in the challenge layout.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels CSV (ID,fraud_flag); without it the data needs a fraud_flag column." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the metrics JSON to this file instead of standard output." };

        var command = new Command("evaluate", "Evaluate a trained model on labelled baskets: pr_auc, roc_auc, log_loss and precision/recall/F1 at each stored threshold.");
        command.Options.Add(model);
        command.Options.Add(data);
        command.Options.Add(labels);
        command.Options.Add(output);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var fraudModel = ModelFolder.Load(parseResult.GetValue(model));
            var dataPath = CliOptions.ExistingFile(parseResult.GetValue(data), "--data");
            var labelsPath = parseResult.GetValue(labels) is { } l ? CliOptions.ExistingFile(l, "--labels") : null;
            var dataset = BasketCsv.ReadLabelled(dataPath, labelsPath);

            if (dataset.Baskets.Count == 0)
            {
                throw new CliException("no labelled baskets to evaluate (check that the ids of --data and --labels match).");
            }

            cancellationToken.ThrowIfCancellationRequested();
            var probabilities = new double[dataset.Baskets.Count];
            fraudModel.ScoreMany(dataset.Baskets, probabilities, threads: 0);
            var json = ModelEvaluation.ToJson(ModelEvaluation.Evaluate(probabilities, dataset.Labels, fraudModel.Thresholds));
            if (parseResult.GetValue(output) is { } path)
            {
                try
                {
                    File.WriteAllText(path, json + "\n");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"cannot write {path}: {ex.Message}");
                }

                CliConsole.WriteLine($"wrote metrics of {fraudModel.ModelId} on {dataset.Baskets.Count} baskets to {path}");
            }
            else
            {
                CliConsole.WriteLine(json);
            }

            if (!dataset.Join.IsComplete)
            {
                Console.Error.WriteLine($"warning: {dataset.Join}");
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
