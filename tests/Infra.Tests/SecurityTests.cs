using Infra.Tests.Reading;

namespace Infra.Tests;

// Secure by default: no keys or secrets anywhere in the deployment, Entra ID for every data-plane call,
// read from the compiled templates.
public sealed class SecurityTests
{
    // Ways a key or secret gets into a template or pipeline: ARM list* functions, connection strings with keys,
    // SAS tokens, publish profiles, client secrets.
    private static readonly string[] Forbidden =
    [
        "listKeys(", "listKeys (", "listConnectionStrings(", "listAccountSas(", "listServiceSas(", "primaryKey", "secondaryKey",
        "AccountKey=", "SharedAccessKey=", "SharedAccessSignature", "InstrumentationKey=", "publishProfile", "client-secret",
        "clientSecret", "AZURE_CREDENTIALS", "@secure()", "securestring",
    ];

    public static TheoryData<string> DeploymentFiles()
    {
        var files = Directory.EnumerateFiles(Repo.InfraFolder, "*", SearchOption.AllDirectories)
            .Concat([Repo.Combine("azure.yaml"), Path.Combine(Repo.HandlerFolder, "host.json")])
            // The local settings template is committed; it may name Azurite (UseDevelopmentStorage=true) but never a key.
            .Concat(new[] { Path.Combine(Repo.HandlerFolder, "local.settings.sample.json") }.Where(File.Exists))
            .Concat(Directory.EnumerateFiles(Repo.Combine(".github"), "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Repo.HandlerFolder, "function.json", SearchOption.AllDirectories).Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal)))
            .Select(p => Path.GetRelativePath(Repo.Root, p))
            .Order(StringComparer.Ordinal);
        return new TheoryData<string>(files);
    }

    [Theory]
    [MemberData(nameof(DeploymentFiles))]
    public void NoKeysOrSecretsInDeploymentFiles(string relativePath)
    {
        var text = File.ReadAllText(Repo.Combine(relativePath));

        var found = Forbidden.Where(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Empty(found);
    }

    [Fact]
    public void NoCompiledTemplateCallsAListFunctionOrTakesASecret()
    {
        foreach (var (path, json) in BicepCompilation.Current.Templates)
        {
            var text = json.ToJsonString();
            Assert.True(!text.Contains("securestring", StringComparison.OrdinalIgnoreCase), $"{path} takes a secure parameter.");
            Assert.True(!System.Text.RegularExpressions.Regex.IsMatch(text, @"\blist\w*\("), $"{path} calls an ARM list function (keys).");
        }
    }

    [Fact]
    public void StorageAllowsNoSharedKeyNoPublicBlobsAndOnlyTls12()
    {
        var account = Repo.Compiled("app/storage.bicep").OfType("Microsoft.Storage/storageAccounts").Single();

        Assert.False(ArmTemplate.Find(account, "properties.allowSharedKeyAccess")!.GetValue<bool>());
        Assert.False(ArmTemplate.Find(account, "properties.allowBlobPublicAccess")!.GetValue<bool>());
        Assert.True(ArmTemplate.Find(account, "properties.defaultToOAuthAuthentication")!.GetValue<bool>());
        Assert.Equal("TLS1_2", ArmTemplate.Text(ArmTemplate.Find(account, "properties.minimumTlsVersion")));
        Assert.True(ArmTemplate.Find(account, "properties.supportsHttpsTrafficOnly")!.GetValue<bool>());
    }

    [Fact]
    public void ContainersAreTheProductsTheHostsAndTheDeploymentPackagesAndPrivate()
    {
        var main = Repo.Main;
        var product = main.Literal(main.Variables["productContainerNames"])!.AsArray().Select(v => v!.GetValue<string>());
        var container = Repo.Compiled("app/storage.bicep").OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Single();

        var host = main.Literal(main.Variables["hostContainerNames"])!.AsArray().Select(v => v!.GetValue<string>());

        Assert.Equal(Repo.Settings.Containers.Order(StringComparer.Ordinal), product.Concat(host).Append("deployment").Order(StringComparer.Ordinal));
        Assert.Equal(Fraud.Registry.Containers.All.Order(StringComparer.Ordinal), product.Order(StringComparer.Ordinal));
        Assert.Equal("[concat(variables('productContainerNames'), variables('hostContainerNames'), createArray(variables('deploymentContainerName')))]", ArmTemplate.Text(main.Variables["containerNames"]));
        Assert.Equal("[length(parameters('containerNames'))]", ArmTemplate.Text(container["copy"]!["count"]));
        Assert.Equal("[variables('containerNames')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("storage"), "containerNames")));
        Assert.Equal("None", ArmTemplate.Text(ArmTemplate.Find(container, "properties.publicAccess")));
    }

    [Fact]
    public void ServiceBusApplicationInsightsAndLogAnalyticsHaveLocalAuthOff()
    {
        var serviceBus = Repo.Compiled("app/servicebus.bicep").OfType("Microsoft.ServiceBus/namespaces").Single();
        var monitoring = Repo.Compiled("monitoring/monitoring.bicep");

        Assert.True(ArmTemplate.Find(serviceBus, "properties.disableLocalAuth")!.GetValue<bool>());
        Assert.True(ArmTemplate.Find(monitoring.OfType("Microsoft.Insights/components").Single(), "properties.DisableLocalAuth")!.GetValue<bool>());
        Assert.True(ArmTemplate.Find(monitoring.OfType("Microsoft.OperationalInsights/workspaces").Single(), "properties.features.disableLocalAuth")!.GetValue<bool>());
    }

    [Fact]
    public void ThePrivateNetworkOptionClosesStorageAndServiceBusToPublicTraffic()
    {
        var account = Repo.Compiled("app/storage.bicep").OfType("Microsoft.Storage/storageAccounts").Single();
        var serviceBus = Repo.Compiled("app/servicebus.bicep").OfType("Microsoft.ServiceBus/namespaces").Single();
        var main = Repo.Main;
        var network = main.Module("network");
        var endpoints = Repo.Compiled("app/network.bicep").Variables["endpoints"]!.AsArray().Select(e => ArmTemplate.Text(e!["groupId"])).ToList();

        Assert.Equal("[if(parameters('privateNetworking'), 'Disabled', 'Enabled')]", ArmTemplate.Text(ArmTemplate.Find(account, "properties.publicNetworkAccess")));
        Assert.Equal("[if(parameters('privateNetworking'), 'Deny', 'Allow')]", ArmTemplate.Text(ArmTemplate.Find(account, "properties.networkAcls.defaultAction")));
        Assert.Equal("[if(parameters('privateNetworking'), 'Disabled', 'Enabled')]", ArmTemplate.Text(ArmTemplate.Find(serviceBus, "properties.publicNetworkAccess")));
        Assert.False(main.Parameters["privateNetworking"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("[parameters('privateNetworking')]", ArmTemplate.Text(network["condition"]));
        Assert.Equal("[parameters('privateNetworking')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("storage"), "privateNetworking")));
        Assert.Equal("[parameters('privateNetworking')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("servicebus"), "privateNetworking")));
        // Service Bus private endpoints exist only on Premium.
        Assert.Equal("[if(parameters('privateNetworking'), createObject('value', 'Premium'), createObject('value', parameters('serviceBusSku')))]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("servicebus"), "skuName")));
        Assert.Equal(["blob", "table", "namespace"], endpoints);
        Assert.Contains("appSubnetId", ArmTemplate.Text(ArmTemplate.Passed(main.Module("api"), "appSubnetId")), StringComparison.Ordinal);
        Assert.Equal("[if(empty(parameters('appSubnetId')), null(), parameters('appSubnetId'))]", ArmTemplate.Text(ArmTemplate.Find(Repo.Compiled("app/api.bicep").OfType("Microsoft.Web/sites").Single(), "properties.virtualNetworkSubnetId")));
    }

    [Fact]
    public void ThePrivateNetworkOptionSendsTelemetryThroughAnAzureMonitorPrivateLinkScope()
    {
        var main = Repo.Main;
        var privateLink = Repo.Compiled("monitoring/privatelink.bicep");
        var monitoring = Repo.Compiled("monitoring/monitoring.bicep");
        var scope = privateLink.OfType("Microsoft.Insights/privateLinkScopes").Single();
        var scoped = privateLink.OfType("Microsoft.Insights/privateLinkScopes/scopedResources").ToList();
        var endpoint = privateLink.OfType("Microsoft.Network/privateEndpoints").Single();

        Assert.Equal("[parameters('privateNetworking')]", ArmTemplate.Text(main.Module("monitoring-private-link")["condition"]));
        Assert.Equal("[parameters('privateNetworking')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("monitoring"), "privateNetworking")));

        // Ingestion only through the endpoint; queries stay open so analysts, the workbook and the alerts keep working.
        Assert.Equal("PrivateOnly", ArmTemplate.Text(ArmTemplate.Find(scope, "properties.accessModeSettings.ingestionAccessMode")));
        Assert.Equal("Open", ArmTemplate.Text(ArmTemplate.Find(scope, "properties.accessModeSettings.queryAccessMode")));
        var linked = scoped.Select(r => ArmTemplate.Text(ArmTemplate.Find(r, "properties.linkedResourceId"))!).ToList();
        Assert.Equal(2, linked.Count);
        Assert.Contains(linked, id => id.Contains("Microsoft.OperationalInsights/workspaces", StringComparison.Ordinal));
        Assert.Contains(linked, id => id.Contains("Microsoft.Insights/components", StringComparison.Ordinal));
        Assert.Equal("azuremonitor", ArmTemplate.Text(ArmTemplate.Find(endpoint, "properties.privateLinkServiceConnections")![0]!["properties"]!["groupIds"]![0]));

        // With the scope in place, the workspace and the component refuse public ingestion.
        foreach (var type in new[] { "Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components" })
        {
            var resource = monitoring.OfType(type).Single();
            Assert.Equal("[if(parameters('privateNetworking'), 'Disabled', 'Enabled')]", ArmTemplate.Text(ArmTemplate.Find(resource, "properties.publicNetworkAccessForIngestion")));
            Assert.Equal("Enabled", ArmTemplate.Text(ArmTemplate.Find(resource, "properties.publicNetworkAccessForQuery")));
        }
    }

    [Fact]
    public void TheFunctionAppIsHttpsOnlyWithBasicAuthPublishingOff()
    {
        var api = Repo.Compiled("app/api.bicep");
        var site = api.OfType("Microsoft.Web/sites").Single();
        var policies = api.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.True(ArmTemplate.Find(site, "properties.httpsOnly")!.GetValue<bool>());
        Assert.Equal("1.2", ArmTemplate.Text(ArmTemplate.Find(site, "properties.siteConfig.minTlsVersion")));
        Assert.Equal("Disabled", ArmTemplate.Text(ArmTemplate.Find(site, "properties.siteConfig.ftpsState")));
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(ArmTemplate.Find(p, "properties.allow")!.GetValue<bool>()));
        Assert.Equal(["ftp", "scm"], policies.Select(p => ArmTemplate.Text(p["name"])!.Split('\'')[^2]).Order(StringComparer.Ordinal));
    }
}
