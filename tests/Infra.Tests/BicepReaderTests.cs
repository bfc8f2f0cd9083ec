using Infra.Tests.Reading;

namespace Infra.Tests;

// The checks below are only as good as the reader, so it is tested on the constructs the templates use.
public sealed class BicepReaderTests
{
    private const string Sample = """
        targetScope = 'subscription'

        @description('A name; braces { } and // in a string are not code.')
        @allowed([
          'a'
          'b'
        ])
        param name string = 'a'

        /* a block comment with resource inside: resource fake 'X@1' = {} */
        var settings = {
          plain: 'x'
          'odata.type': 'quoted key'
          interpolated: 'https://${name}.example/${toLower('A}')}'
          multi: '''
        line one } ]
        '''
          ternary: empty(name)
            ? []
            : [
                'one'
              ]
          inline: { a: 1, b: '2' }
        }

        resource parent 'Microsoft.Storage/storageAccounts@2023-05-01' = {
          name: name // trailing comment
          properties: {
            allowSharedKeyAccess: false
          }

          resource blobs 'blobServices' = {
            name: 'default'

            resource items 'containers' = [
              for c in ['x', 'y']: {
                name: c
              }
            ]
          }
        }

        output UPPER_NAME string = parent.name
        """;

    [Fact]
    public void ReadsDeclarationsWithTheirDecorators()
    {
        var file = BicepFile.Parse("sample.bicep", Sample);

        Assert.Equal("subscription", file.TargetScope);
        var param = Assert.Single(file.Params);
        Assert.Equal("name", param.Name);
        Assert.Equal("a", param.Value!.StringLiteral);
        Assert.True(param.HasDecorator("description"));
        Assert.True(param.HasDecorator("allowed"));
        Assert.Equal("UPPER_NAME", Assert.Single(file.Outputs).Name);
    }

    [Fact]
    public void ReadsObjectMembersThroughStringsInterpolationsCommentsAndTernaries()
    {
        var settings = BicepFile.Parse("sample.bicep", Sample).Var("settings")!.Value!.AsObject();

        Assert.Equal(["plain", "odata.type", "interpolated", "multi", "ternary", "inline"], settings.Keys);
        Assert.Equal("quoted key", settings["odata.type"]!.StringLiteral);
        Assert.Null(settings["interpolated"]!.StringLiteral);
        Assert.Contains("line one } ]", settings["multi"]!.StringLiteral, StringComparison.Ordinal);
        Assert.StartsWith("empty(name)", settings["ternary"]!.Text, StringComparison.Ordinal);
        Assert.EndsWith("]", settings["ternary"]!.Text, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], settings["inline"]!.AsObject().Keys);
    }

    [Fact]
    public void GivesNestedResourcesTheirFullTypes()
    {
        var file = BicepFile.Parse("sample.bicep", Sample);

        Assert.Equal(
            ["Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices", "Microsoft.Storage/storageAccounts/blobServices/containers"],
            file.Resources.Select(r => r.Type));
        Assert.Equal("false", file.Resources.First().Find("properties.allowSharedKeyAccess")!.Text);
        Assert.StartsWith("[", file.Resources.Last().Header, StringComparison.Ordinal);
        Assert.DoesNotContain(file.Resources, r => r.Symbol == "fake");
    }

    [Fact]
    public void ResolvesArgumentsParamsAndVarsToLiterals()
    {
        var module = BicepFile.Parse("module.bicep", "param queue string = 'default-queue'\nvar usedQueue = queue\nvar computed = toLower(queue)\n");
        var caller = BicepFile.Parse("main.bicep", "var q = 'basket-batches'\nmodule m 'module.bicep' = {\n  name: 'm'\n  params: {\n    queue: q\n  }\n}\n");
        var call = caller.Modules.Single();

        Assert.Equal("basket-batches", BicepResolver.Resolve(module.Var("usedQueue")!.Value, module, call, caller));
        Assert.Equal("default-queue", BicepResolver.Resolve(module.Var("usedQueue")!.Value, module));
        Assert.Null(BicepResolver.Resolve(module.Var("computed")!.Value, module));
    }
}
