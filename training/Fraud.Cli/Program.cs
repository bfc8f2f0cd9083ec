using System.CommandLine;
using Fraud.Cli;
using Fraud.Cli.Commands;

// The `fraud` command line: one static class per verb (group) under Commands/.
var root = new RootCommand("Basket fraud scoring: generate data, train, evaluate, explain, manage the model registry and monitor.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await CliRunner.InvokeAsync(root, args);
