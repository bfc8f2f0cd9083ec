using Infra.Tests.Reading;

namespace Infra.Tests;

// Secure by default: no keys or secrets anywhere in the deployment, Entra ID for every data-plane call.
public sealed class SecurityTests
{
    // Ways a key or secret gets into a template or pipeline: ARM list* functions, connection strings with keys,
    // SAS tokens, publish profiles, client secrets.
    private static readonly string[] Forbidden =
    [
        "listKeys(", "listKeys (", "listConnectionStrings(", "listAccountSas(", "listServiceSas(", "primaryKey", "secondaryKey",
        "AccountKey=", "SharedAccessKey=", "SharedAccessSignature", "InstrumentationKey=", "publishProfile", "client-secret",
        "clientSecret", "AZURE_CREDENTIALS", "@secure()",
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
    public void StorageAllowsNoSharedKeyNoPublicBlobsAndOnlyTls12()
    {
        var (_, storage) = Repo.Module("storage");
        var account = storage.OfType("Microsoft.Storage/storageAccounts").Single(r => !r.IsExisting);

        Assert.Equal("false", account.Find("properties.allowSharedKeyAccess")?.Text);
        Assert.Equal("false", account.Find("properties.allowBlobPublicAccess")?.Text);
        Assert.Equal("TLS1_2", account.Find("properties.minimumTlsVersion")?.StringLiteral);
        Assert.Equal("true", account.Find("properties.supportsHttpsTrafficOnly")?.Text);
    }

    [Fact]
    public void ContainersAreExactlyTheDocumentedOnesAndPrivate()
    {
        var (call, storage) = Repo.Module("storage");
        var names = storage.Var("containerNames")!.Value!.AsArray()
            .Select(v => BicepResolver.Resolve(v, storage, call, Repo.Main))
            .Order(StringComparer.Ordinal);
        var container = storage.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Single();

        Assert.Equal(Repo.Settings.Containers.Order(StringComparer.Ordinal), names);
        Assert.Contains("for containerName in containerNames", container.Header, StringComparison.Ordinal);
        Assert.Equal("None", container.Find("properties.publicAccess")?.StringLiteral);
    }

    [Fact]
    public void ServiceBusApplicationInsightsAndLogAnalyticsHaveLocalAuthOff()
    {
        var (_, serviceBus) = Repo.Module("serviceBus");
        var (_, monitoring) = Repo.Module("monitoring");

        Assert.Equal("true", serviceBus.OfType("Microsoft.ServiceBus/namespaces").Single(r => !r.IsExisting).Find("properties.disableLocalAuth")?.Text);
        Assert.Equal("true", monitoring.OfType("Microsoft.Insights/components").Single().Find("properties.DisableLocalAuth")?.Text);
        Assert.Equal("true", monitoring.OfType("Microsoft.OperationalInsights/workspaces").Single().Find("properties.features.disableLocalAuth")?.Text);
    }

    [Fact]
    public void TheFunctionAppIsHttpsOnlyWithBasicAuthPublishingOff()
    {
        var (_, api) = Repo.Module("api");
        var site = api.OfType("Microsoft.Web/sites").Single(r => !r.IsExisting);
        var policies = api.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.Equal("true", site.Find("properties.httpsOnly")?.Text);
        Assert.Equal("'1.2'", site.Find("properties.siteConfig.minTlsVersion")?.Text);
        Assert.Equal(["ftp", "scm"], policies.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(policies, p => Assert.Equal("false", p.Find("properties.allow")?.Text));
    }

    [Fact]
    public void EveryRoleTheBriefNamesIsGrantedToTheAppIdentityAndTheDeployingUser()
    {
        var (call, rbac) = Repo.Module("rbac");
        var roles = rbac.Var("roles")!.Value!.AsObject();
        var assignments = rbac.OfType("Microsoft.Authorization/roleAssignments").ToList();

        // Storage Blob Data Owner, Storage Queue/Table Data Contributor, Service Bus Data Receiver/Sender, Monitoring Metrics Publisher.
        string[] required =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
            "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "3913510d-42f4-4e42-8a64-420c390055eb",
        ];
        Assert.Equal(required.Order(StringComparer.Ordinal), roles.Members.Select(m => m.Value.StringLiteral).Order(StringComparer.Ordinal));
        foreach (var principal in new[] { "appPrincipalId", "userPrincipalId" })
        {
            var granted = assignments.Where(a => a.Find("properties.principalId")?.Text == principal).ToList();
            Assert.Equal(6, granted.Sum(a => a.Header.Contains("storageRoles", StringComparison.Ordinal) ? 3 : a.Header.Contains("serviceBusRoles", StringComparison.Ordinal) ? 2 : 1));
        }

        Assert.Equal("identity.outputs.principalId", call.Find("params")!.AsObject()["appPrincipalId"]?.Text);
        Assert.Equal("principalId", call.Find("params")!.AsObject()["userPrincipalId"]?.Text);
    }
}
