using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Tests.Reading;

namespace Infra.Tests;

// What a Bicep compiler would reject or azd would trip over, checked without the compiler.
public sealed partial class TemplateStructureTests
{
    public static TheoryData<string> ModuleSymbols() => new(Repo.Main.Modules.Select(m => m.Symbol));

    [Fact]
    public void MainIsSubscriptionScopedAndCreatesTheResourceGroup()
    {
        Assert.Equal("subscription", Repo.Main.TargetScope);
        Assert.Single(Repo.Main.OfType("Microsoft.Resources/resourceGroups"));
        Assert.All(Repo.Main.Modules, m => Assert.Equal("rg", m.Body["scope"]?.Text));
    }

    [Theory]
    [MemberData(nameof(ModuleSymbols))]
    public void ModuleCallsPassExactlyTheParametersTheModuleDeclares(string symbol)
    {
        var (call, module) = Repo.Module(symbol);
        var passed = call.Find("params")!.AsObject().Keys.ToList();
        var declared = module.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var required = module.Params.Where(p => p.Value is null).Select(p => p.Name);

        var unknown = passed.Where(p => !declared.Contains(p)).ToList();
        var missing = required.Where(r => !passed.Contains(r)).ToList();
        Assert.Empty(unknown);
        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(ModuleSymbols))]
    public void ModuleOutputsUsedByMainExist(string symbol)
    {
        var (_, module) = Repo.Module(symbol);
        var outputs = module.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        var used = Regex.Matches(Repo.Main.Text.Masked, $@"\b{symbol}\.outputs\.(\w+)").Select(m => m.Groups[1].Value).Distinct();

        Assert.Empty(used.Where(u => !outputs.Contains(u)).ToList());
    }

    [Fact]
    public void EveryParameterHasADescriptionAndTheRequiredOnesComeFromAzd()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "main.parameters.json")))!["parameters"]!.AsObject();

        foreach (var file in Repo.AllBicep())
        {
            var undescribed = file.Params.Where(p => !p.HasDecorator("description")).Select(p => $"{Path.GetFileName(file.Path)}: {p.Name}").ToList();
            Assert.Empty(undescribed);
        }

        var required = Repo.Main.Params.Where(p => p.Value is null).Select(p => p.Name).ToList();
        Assert.Equal(["environmentName", "location"], required);
        Assert.Equal("${AZURE_ENV_NAME}", parameters["environmentName"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_LOCATION}", parameters["location"]!["value"]!.GetValue<string>());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", parameters["principalId"]!["value"]!.GetValue<string>());
        Assert.Empty(parameters.Select(p => p.Key).Where(k => Repo.Main.Param(k) is null).ToList());
    }

    [Fact]
    public void OutputsForAzdAreUpperSnakeCase()
    {
        Assert.NotEmpty(Repo.Main.Outputs);
        Assert.All(Repo.Main.Outputs, o => Assert.Matches("^[A-Z][A-Z0-9_]*$", o.Name));
        Assert.Contains(Repo.Main.Outputs, o => o.Name == "FRAUD_STORE_URL");
    }

    [Fact]
    public void EveryResourceNamesAnApiVersion()
    {
        var unversioned = Repo.AllBicep().SelectMany(f => f.Resources.Where(r => string.IsNullOrEmpty(r.ApiVersion)).Select(r => $"{Path.GetFileName(f.Path)}: {r.Symbol}")).ToList();

        Assert.Empty(unversioned);
    }

    [Fact]
    public void TheFunctionAppRunsOnFlexConsumptionWithTheCustomRuntimeAndIdentityDeployment()
    {
        var (_, api) = Repo.Module("api");
        var plan = api.OfType("Microsoft.Web/serverfarms").Single();
        var site = api.OfType("Microsoft.Web/sites").Single(r => !r.IsExisting);
        var config = site.Find("properties.functionAppConfig")!.AsObject();

        Assert.Equal("FC1", plan.Find("sku.name")?.StringLiteral);
        Assert.Equal("FlexConsumption", plan.Find("sku.tier")?.StringLiteral);
        Assert.Equal("custom", config.Find("runtime.name")?.StringLiteral);
        Assert.Equal("blobContainer", config.Find("deployment.storage.type")?.StringLiteral);
        Assert.Equal("UserAssignedIdentity", config.Find("deployment.storage.authentication.type")?.StringLiteral);
        Assert.Equal("identityId", config.Find("deployment.storage.authentication.userAssignedIdentityResourceId")?.Text);
        Assert.EndsWith("/${deploymentContainerName}'", config.Find("deployment.storage.value")!.Text, StringComparison.Ordinal);
        Assert.NotNull(config.Find("scaleAndConcurrency.maximumInstanceCount"));
        Assert.Equal("'UserAssigned'", site.Find("identity.type")?.Text);
        Assert.Contains("'azd-service-name': 'api'", site.Body["tags"]!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBatchQueueDeadLettersAndHoldsItsLockLongEnoughForAFullBatch()
    {
        var (_, serviceBus) = Repo.Module("serviceBus");
        var queue = serviceBus.OfType("Microsoft.ServiceBus/namespaces/queues").Single(q => q.Body["name"]!.Text == "batchQueueName");
        var properties = queue.Find("properties")!.Text;

        Assert.Contains("deadLetteringOnMessageExpiration: true", properties, StringComparison.Ordinal);
        Assert.Contains("maxDeliveryCount: maxDeliveryCount", properties, StringComparison.Ordinal);
        Assert.Equal("PT5M", serviceBus.Var("batchLockDuration")?.Value?.StringLiteral);
    }
}
