using Infra.Tests.Reading;

namespace Infra.Tests;

// The real Bicep compiler and its linter over every template (one build per test run, BicepCompilation).
public sealed class CompilerTests
{
    private static BicepCompilation Compilation => BicepCompilation.Current;

    private static IEnumerable<BicepDiagnostic> RepositoryDiagnostics =>
        Compilation.Diagnostics.Where(d => !d.File.StartsWith(BicepCompilation.ProbeFolder + "/", StringComparison.Ordinal));

    [Fact]
    public void EveryTemplateCompilesWithoutAnyDiagnostic()
    {
        Assert.True(RepositoryDiagnostics.ToList() is [], string.Join('\n', RepositoryDiagnostics));
        Assert.Equal(Repo.AllBicep(), Compilation.Templates.Keys.Where(k => !k.StartsWith(BicepCompilation.ProbeFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheLinterRunsWithTheRepositorysRulesRaisedToWarning()
    {
        // The probe declares a parameter it never uses: without infra/bicepconfig.json no-unused-params would still warn,
        // so the check that the configuration is read is the rules it raises from off to warning, below.
        var probe = Compilation.Diagnostics.Where(d => d.File.StartsWith(BicepCompilation.ProbeFolder + "/", StringComparison.Ordinal)).ToList();
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();

        Assert.Contains(probe, d => d is { Code: "no-unused-params", Level: "Warning" });
        Assert.All(rules, r => Assert.Equal("warning", r.Value!["level"]!.GetValue<string>()));
        Assert.Contains("no-hardcoded-env-urls", rules.Select(r => r.Key));
        Assert.Contains("use-resource-symbol-reference", rules.Select(r => r.Key));
        Assert.Contains("outputs-should-not-contain-secrets", rules.Select(r => r.Key));
    }

    [Fact]
    public void MainIsSubscriptionScopedAndDeploysEveryModuleIntoTheResourceGroup()
    {
        var modules = Repo.Main.OfType("Microsoft.Resources/deployments").ToList();

        Assert.Contains("subscriptionDeploymentTemplate", ArmTemplate.Text(Repo.Main.Json["$schema"]), StringComparison.Ordinal);
        var rg = Assert.Single(Repo.Main.OfType("Microsoft.Resources/resourceGroups"));
        Assert.Equal(["alerts", "api", "identity", "monitoring", "monitoring-private-link", "network", "rbac", "servicebus", "storage", "workbook"], modules.Select(m => ArmTemplate.Text(m["name"])).Order(StringComparer.Ordinal));
        Assert.All(modules, m => Assert.Equal(ArmTemplate.Text(rg["name"]), ArmTemplate.Text(m["resourceGroup"])));
    }

    // Pinned on purpose: a new type or API version is a decision someone reviews (docs/operations.md lists why each is there).
    [Fact]
    public void ResourceTypesAndApiVersionsAreTheReviewedOnes()
    {
        string[] expected =
        [
            "Microsoft.Authorization/roleAssignments@2022-04-01",
            "Microsoft.Insights/actionGroups@2023-01-01",
            "Microsoft.Insights/components@2020-02-02",
            "Microsoft.Insights/metricAlerts@2026-01-01",
            "Microsoft.Insights/privateLinkScopes/scopedResources@2021-07-01-preview",
            // The compiler writes this type in its schema's lower-case spelling.
            "microsoft.insights/privateLinkScopes@2021-07-01-preview",
            "Microsoft.Insights/scheduledQueryRules@2026-03-01",
            "Microsoft.Insights/workbooks@2023-06-01",
            "Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30",
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01",
            "Microsoft.Network/privateDnsZones@2024-06-01",
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01",
            "Microsoft.Network/privateEndpoints@2024-05-01",
            "Microsoft.Network/virtualNetworks@2024-05-01",
            "Microsoft.OperationalInsights/workspaces@2025-07-01",
            "Microsoft.Resources/deployments@2025-04-01",
            "Microsoft.Resources/resourceGroups@2025-04-01",
            "Microsoft.ServiceBus/namespaces/queues@2026-01-01",
            "Microsoft.ServiceBus/namespaces@2026-01-01",
            "Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01",
            "Microsoft.Storage/storageAccounts/blobServices@2025-06-01",
            "Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01",
            "Microsoft.Storage/storageAccounts@2025-06-01",
            "Microsoft.Web/serverfarms@2025-03-01",
            "Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01",
            "Microsoft.Web/sites/config@2025-03-01",
            "Microsoft.Web/sites@2025-03-01",
        ];

        var actual = AllResources(Repo.Main.Json).Select(r => $"{ArmTemplate.Text(r["type"])}@{ArmTemplate.Text(r["apiVersion"])}").Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
    }

    [Fact]
    public void OutputsForAzdAreUpperSnakeCase()
    {
        var outputs = Repo.Main.Outputs.Select(o => o.Key).ToList();

        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Matches("^[A-Z][A-Z0-9_]*$", o));
        Assert.Contains("FRAUD_STORE_URL", outputs);
    }

    [Fact]
    public void EveryParameterOfEveryTemplateHasADescription()
    {
        var undescribed = Compilation.Templates.Where(t => !t.Key.StartsWith(BicepCompilation.ProbeFolder, StringComparison.Ordinal))
            .SelectMany(t => new ArmTemplate(t.Key, t.Value).Parameters.Where(p => p.Value?["metadata"]?["description"] is null).Select(p => $"{t.Key}: {p.Key}"))
            .ToList();

        Assert.Empty(undescribed);
    }

    [Fact]
    public void TheFunctionAppRunsOnFlexConsumptionWithTheCustomRuntimeAndIdentityDeployment()
    {
        var api = Repo.Compiled("app/api.bicep");
        var plan = api.OfType("Microsoft.Web/serverfarms").Single();
        var site = api.OfType("Microsoft.Web/sites").Single();
        var config = ArmTemplate.Find(site, "properties.functionAppConfig")!;

        Assert.Equal("FC1", ArmTemplate.Text(ArmTemplate.Find(plan, "sku.name")));
        Assert.Equal("FlexConsumption", ArmTemplate.Text(ArmTemplate.Find(plan, "sku.tier")));
        Assert.Equal("custom", ArmTemplate.Text(ArmTemplate.Find(config, "runtime.name")));
        Assert.Equal("blobContainer", ArmTemplate.Text(ArmTemplate.Find(config, "deployment.storage.type")));
        Assert.Equal("UserAssignedIdentity", ArmTemplate.Text(ArmTemplate.Find(config, "deployment.storage.authentication.type")));
        Assert.Equal("[parameters('identityId')]", ArmTemplate.Text(ArmTemplate.Find(config, "deployment.storage.authentication.userAssignedIdentityResourceId")));
        Assert.Equal("[format('{0}/{1}', variables('blobEndpoint'), parameters('deploymentContainerName'))]", ArmTemplate.Text(ArmTemplate.Find(config, "deployment.storage.value")));
        Assert.Equal("UserAssigned", ArmTemplate.Text(ArmTemplate.Find(site, "identity.type")));
        Assert.Contains("'azd-service-name', 'api'", ArmTemplate.Text(site["tags"]), StringComparison.Ordinal);
    }

    [Fact]
    public void TheBatchQueueDeadLettersDetectsDuplicatesLongerThanTheRetriesAndHoldsItsLockForAFullBatch()
    {
        var serviceBus = Repo.Compiled("app/servicebus.bicep");
        var queue = serviceBus.OfType("Microsoft.ServiceBus/namespaces/queues").Single(q => ArmTemplate.Text(q["name"])!.Contains("batchQueueName", StringComparison.Ordinal));
        // The properties are a union() of a literal object and the Premium size; the literal part is the first argument.
        var properties = ArmTemplate.Text(queue["properties"])!;

        Assert.Contains("'deadLetteringOnMessageExpiration', true()", properties, StringComparison.Ordinal);
        Assert.Contains("'maxDeliveryCount', parameters('maxDeliveryCount')", properties, StringComparison.Ordinal);
        Assert.Contains("'requiresDuplicateDetection', true()", properties, StringComparison.Ordinal);
        Assert.Contains("'lockDuration', variables('batchLockDuration')", properties, StringComparison.Ordinal);
        Assert.Equal("PT5M", ArmTemplate.Text(serviceBus.Variables["batchLockDuration"]));
        var window = System.Xml.XmlConvert.ToTimeSpan(ArmTemplate.Text(serviceBus.Variables["duplicateDetectionWindow"])!);
        // Longer than the SDK's whole default retry budget (3 retries, back-off capped at 60 s, 60 s per try: under 5 minutes)
        // and than the lock-expiry redeliveries of one batch (maxDeliveryCount × 5-minute lock).
        var deliveries = serviceBus.Parameters["maxDeliveryCount"]!["defaultValue"]!.GetValue<int>();
        Assert.True(window > TimeSpan.FromMinutes(5) * deliveries, $"window {window}");
        Assert.Contains("'duplicateDetectionHistoryTimeWindow', variables('duplicateDetectionWindow')", properties, StringComparison.Ordinal);
        Assert.DoesNotContain("Basic", serviceBus.Parameters["skuName"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> AllResources(System.Text.Json.Nodes.JsonObject template)
    {
        foreach (var resource in template["resources"]!.AsArray().Select(r => r!.AsObject()))
        {
            yield return resource;
            if (resource["properties"] is System.Text.Json.Nodes.JsonObject properties && properties["template"] is System.Text.Json.Nodes.JsonObject nested)
            {
                foreach (var inner in AllResources(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}
