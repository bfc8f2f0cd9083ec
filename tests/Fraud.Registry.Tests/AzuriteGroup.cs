using Fraud.Testing;

namespace Fraud.Registry.Tests;

/// <summary>One Azurite for every test class in this assembly that joins the collection.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
