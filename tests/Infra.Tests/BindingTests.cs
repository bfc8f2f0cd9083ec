using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Tests.Reading;

namespace Infra.Tests;

// The function.json files are the host's view of the app; these checks keep them wired to what the Bicep creates.
public sealed partial class BindingTests
{
    [Fact]
    public void FunctionFoldersAreExactlyTheFunctionsOfSettingsMd()
    {
        Assert.Equal(Repo.Settings.Functions.Order(StringComparer.Ordinal), Repo.Functions().Select(f => f.Name));
    }

    [Fact]
    public void EveryBindingConnectionHasIdentityBasedSettingsInTheBicep()
    {
        var (_, settings) = Repo.AppSettings();
        var connections = Repo.Functions()
            .SelectMany(f => Repo.Bindings(f.Json))
            .Select(b => b["connection"]?.GetValue<string>())
            .OfType<string>()
            .Distinct()
            .ToList();

        Assert.NotEmpty(connections);
        foreach (var connection in connections)
        {
            // Identity-based: <connection>__fullyQualifiedNamespace (Service Bus) or __blobServiceUri (Storage), plus credential and client id.
            var keys = settings.Select(kv => kv.Key).Where(k => k.StartsWith(connection + "__", StringComparison.Ordinal)).ToList();
            Assert.True(keys.Count > 0, $"No {connection}__* app settings for the bindings that use connection '{connection}'.");
            Assert.Contains($"{connection}__credential", keys);
            Assert.Contains($"{connection}__clientId", keys);
            Assert.Contains(keys, k => k.EndsWith("__fullyQualifiedNamespace", StringComparison.Ordinal) || k.EndsWith("ServiceUri", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void QueueNamesAgreeBetweenTheBicepAndTheFunctionJsonFiles()
    {
        var main = Repo.Main;
        var call = main.Module("servicebus");
        var bicepQueues = new[] { "batchQueueName", "resultQueueName" }
            .Select(p => main.Literal(ArmTemplate.Passed(call, p)) is { } v ? ArmTemplate.Text(v) : null)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(2, Repo.Compiled("app/servicebus.bicep").OfType("Microsoft.ServiceBus/namespaces/queues").Count());
        var boundQueues = Repo.Functions()
            .SelectMany(f => Repo.Bindings(f.Json))
            .Where(b => b["type"]!.GetValue<string>().StartsWith("serviceBus", StringComparison.Ordinal))
            .Select(b => b["queueName"]!.GetValue<string>())
            .ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(null, bicepQueues);
        Assert.Equal(bicepQueues.Order(StringComparer.Ordinal), boundQueues.Order(StringComparer.Ordinal));
        Assert.Equal(Repo.Settings.Queues.Order(StringComparer.Ordinal), boundQueues.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryPercentSettingInAFunctionJsonIsAnAppSetting()
    {
        var (_, settings) = Repo.AppSettings();
        var referenced = Repo.Functions()
            .SelectMany(f => Repo.Bindings(f.Json))
            .SelectMany(b => b.Select(p => p.Value).OfType<JsonValue>())
            .Select(v => v.ToString())
            .SelectMany(s => PercentSetting().Matches(s).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.Contains("MonitorSchedule", referenced);
        var missing = referenced.Where(name => settings[name] is null).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void HostJsonNamesTheExecutableTheHandlerProjectPublishes()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.HandlerFolder, "host.json")))!;
        var executable = host["customHandler"]?["description"]?["defaultExecutablePath"]?.GetValue<string>();
        var project = File.ReadAllText(Path.Combine(Repo.HandlerFolder, "FraudFunctions.csproj"));
        var assemblyName = AssemblyName().Match(project) is { Success: true } m ? m.Groups[1].Value : "FraudFunctions";

        Assert.Equal(assemblyName, executable);
        Assert.True(host["customHandler"]?["enableForwardingHttpRequest"]?.GetValue<bool>(), "HTTP functions rely on forwarded requests.");
        Assert.NotNull(host["extensionBundle"]);
    }

    [Fact]
    public void HttpFunctionsUseTheRoutesAndAuthLevelsOfSettingsMd()
    {
        var table = Repo.Settings.Table("Functions").ToDictionary(c => c[0].Trim('`'), c => c);
        foreach (var (name, json) in Repo.Functions())
        {
            var trigger = Repo.Bindings(json).Single(b => b["direction"]?.GetValue<string>() == "in" && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
            if (trigger["type"]!.GetValue<string>() != "httpTrigger")
            {
                continue;
            }

            Assert.Equal(table[name][2].Trim('`'), trigger["route"]?.GetValue<string>());
            Assert.Equal(table[name][3], trigger["authLevel"]?.GetValue<string>());
        }
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex PercentSetting();

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();
}
