using System.Text.Json.Nodes;
using Infra.Tests.Reading;

namespace Infra.Tests;

// Issue 14 item 12: every role is the least one that works, on the narrowest scope, read from the compiled rbac module.
public sealed class LeastPrivilegeTests
{
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string ServiceBusReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string ServiceBusSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string MetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static ArmTemplate Rbac => Repo.Compiled("app/rbac.bicep");

    private static IReadOnlyList<(string Role, string Scope, string Principal, string? Condition, string? Copy)> Assignments =>
        Rbac.OfType("Microsoft.Authorization/roleAssignments").Select(a => (
            Role: RoleId(a),
            Scope: ArmTemplate.Text(a["scope"])!,
            Principal: ArmTemplate.Text(ArmTemplate.Find(a, "properties.principalId"))!,
            Condition: ArmTemplate.Text(a["condition"]),
            Copy: ArmTemplate.Text(a["copy"]?["count"])))
        .ToList();

    [Fact]
    public void TheAppIdentityWritesBlobsAsContributorOnEachContainerNotAsOwnerOnTheAccount()
    {
        var app = Assignments.Where(a => a.Principal == "[parameters('appPrincipalId')]").ToList();
        var blob = app.Single(a => a.Role == BlobDataContributor);

        Assert.DoesNotContain(Assignments, a => a.Role is BlobDataOwner or ServiceBusOwner);
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('storageAccountName'), 'default', parameters('appContainerNames')[copyIndex()])]", blob.Scope);
        Assert.Equal("[length(parameters('appContainerNames'))]", blob.Copy);
        Assert.Equal("[variables('containerNames')]", ArmTemplate.Text(ArmTemplate.Passed(Repo.Main.Module("rbac"), "appContainerNames")));
    }

    [Fact]
    public void TheAppIdentitysOnlyAccountWideRoleIsTheHostsTable()
    {
        var app = Assignments.Where(a => a.Principal == "[parameters('appPrincipalId')]").ToList();

        // Every assignment but the table one is scoped below the account or namespace.
        var accountWide = app.Where(a => a.Scope == "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]").ToList();
        Assert.Equal([TableDataContributor], accountWide.Select(a => a.Role));
        Assert.DoesNotContain(app, a => a.Scope.Contains("'Microsoft.ServiceBus/namespaces'", StringComparison.Ordinal));
        Assert.Equal(
            new[] { BlobDataContributor, MetricsPublisher, ServiceBusReceiver, ServiceBusSender, TableDataContributor }.Order(StringComparer.Ordinal),
            app.Select(a => a.Role).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ServiceBusRolesAreScopedToTheirQueuesReceiveOnBatchesAndSendOnResults()
    {
        var app = Assignments.Where(a => a.Principal == "[parameters('appPrincipalId')]").ToList();
        var main = Repo.Main;

        Assert.Equal("[resourceId('Microsoft.ServiceBus/namespaces/queues', parameters('serviceBusNamespaceName'), parameters('batchQueueName'))]", app.Single(a => a.Role == ServiceBusReceiver).Scope);
        Assert.Equal("[resourceId('Microsoft.ServiceBus/namespaces/queues', parameters('serviceBusNamespaceName'), parameters('resultQueueName'))]", app.Single(a => a.Role == ServiceBusSender).Scope);
        Assert.Equal("[variables('batchQueueName')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("rbac"), "batchQueueName")));
        Assert.Equal("[variables('resultQueueName')]", ArmTemplate.Text(ArmTemplate.Passed(main.Module("rbac"), "resultQueueName")));
    }

    [Fact]
    public void TheDeployingPrincipalHasNoStandingDataRolesUnlessAskedAndThenOnlyModelsRunsAndSending()
    {
        var deployer = Assignments.Where(a => a.Principal == "[parameters('deployerPrincipalId')]").ToList();
        var main = Repo.Main;
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.InfraFolder, "main.parameters.json")))!["parameters"]!;

        Assert.NotEmpty(deployer);
        Assert.All(deployer, a => Assert.Equal("[variables('grantDeployer')]", a.Condition));
        Assert.Equal("[and(parameters('deployerDataAccess'), not(empty(parameters('deployerPrincipalId'))))]", ArmTemplate.Text(Rbac.Variables["grantDeployer"]));
        Assert.Equal(new[] { BlobDataContributor, ServiceBusSender }.Order(StringComparer.Ordinal), deployer.Select(a => a.Role).Order(StringComparer.Ordinal));
        Assert.Equal(["models", "runs"], Rbac.Parameters["deployerContainerNames"]!["defaultValue"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("blobServices/containers'", deployer.Single(a => a.Role == BlobDataContributor).Scope, StringComparison.Ordinal);
        Assert.Contains("batchQueueName", deployer.Single(a => a.Role == ServiceBusSender).Scope, StringComparison.Ordinal);
        Assert.False(Rbac.Parameters["deployerDataAccess"]!["defaultValue"]!.GetValue<bool>());
        Assert.False(main.Parameters["deployerDataAccess"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("${DEPLOYER_DATA_ACCESS=false}", parameters["deployerDataAccess"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void TheAppPublishesMetricsOnlyToItsOwnComponent()
    {
        var metrics = Assignments.Single(a => a.Role == MetricsPublisher);

        Assert.Equal("[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]", metrics.Scope);
        Assert.Equal("[parameters('appPrincipalId')]", metrics.Principal);
    }

    private static string RoleId(JsonObject assignment)
    {
        var definition = ArmTemplate.Text(ArmTemplate.Find(assignment, "properties.roleDefinitionId"))!;
        // [subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roles').x)]
        var member = System.Text.RegularExpressions.Regex.Match(definition, @"variables\('roles'\)\.(\w+)").Groups[1].Value;
        return ArmTemplate.Text(Rbac.Variables["roles"]![member])!;
    }
}
