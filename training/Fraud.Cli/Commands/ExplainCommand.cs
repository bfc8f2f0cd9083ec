using System.CommandLine;
using Fraud.Baskets;
using Fraud.Cli.Infrastructure;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud explain</c>: the score of one basket and the reasons behind it, in log-odds.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder (holding model.json) or a model.json file.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "Features CSV in the challenge layout.", Required = true };
        var id = new Option<string>("--id") { Description = "ID of the basket to explain.", Required = true };
        var top = new Option<int>("--top") { Description = "Number of reasons to print.", DefaultValueFactory = _ => 8 };

        var command = new Command("explain", "Explain the score of one basket: probability, decision and the reasons (TreeSHAP, grouped) behind it.");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(id);
        command.Options.Add(top);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var fraudModel = ModelFolder.Load(parseResult.GetValue(model));
            var inputPath = CliOptions.ExistingFile(parseResult.GetValue(input), "--input");
            var wanted = parseResult.GetValue(id);
            var count = parseResult.GetValue(top);
            if (string.IsNullOrWhiteSpace(wanted))
            {
                throw new CliException("--id is required.");
            }

            if (count < 1)
            {
                throw new CliException($"--top must be at least 1, not {count}.");
            }

            var basket = BasketCsv.ReadBaskets(inputPath).FirstOrDefault(b => string.Equals(b.Id, wanted, StringComparison.Ordinal))
                ?? throw new CliException($"no basket with ID '{wanted}' in {inputPath}.");

            cancellationToken.ThrowIfCancellationRequested();
            var explanation = fraudModel.Explain(basket);
            CliConsole.WriteLine(CliConsole.Invariant($"basket {basket.Id}: fraud probability {explanation.FraudProbability:F4} -> {explanation.Decision.ToString().ToLowerInvariant()} (review at {fraudModel.Thresholds.Review:F4}, decline at {fraudModel.Thresholds.Decline:F4})"));
            CliConsole.WriteLine(CliConsole.Invariant($"raw score {explanation.RawScore:+0.000;-0.000} log-odds = base {explanation.BaseValue:+0.000;-0.000} + reasons:"));
            foreach (var reason in explanation.Reasons.Take(count))
            {
                CliConsole.WriteLine(CliConsole.Invariant($"  {reason.Contribution,7:+0.000;-0.000}  {reason.Description}  [{reason.Code}]"));
            }

            var rest = explanation.Reasons.Skip(count).Sum(r => r.Contribution);
            if (explanation.Reasons.Count > count)
            {
                CliConsole.WriteLine(CliConsole.Invariant($"  {rest,7:+0.000;-0.000}  {explanation.Reasons.Count - count} smaller reasons"));
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
