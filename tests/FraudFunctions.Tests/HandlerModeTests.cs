using FraudFunctions.Hosting;
using Microsoft.Extensions.Configuration;

namespace FraudFunctions.Tests;

public sealed class HandlerModeTests
{
    [Fact]
    public void BindsLoopbackOnTheHostsPortUnderTheFunctionsHost()
    {
        var mode = HandlerMode.FromConfiguration(Config(("FUNCTIONS_CUSTOMHANDLER_PORT", "40123"), ("urls", "http://0.0.0.0:80")));

        Assert.True(mode.UnderHost);
        Assert.Equal([new Uri("http://127.0.0.1:40123")], mode.Urls);
    }

    [Fact]
    public void ServesOnPort7071OfLoopbackStandalone()
    {
        var mode = HandlerMode.FromConfiguration(Config());

        Assert.False(mode.UnderHost);
        Assert.Equal([new Uri("http://127.0.0.1:7071")], mode.Urls);
    }

    [Fact]
    public void RefusesToListenBeyondLoopbackWithoutAnApiKey()
    {
        var ex = Assert.Throws<HandlerConfigurationException>(() => HandlerMode.FromConfiguration(Config(("urls", "http://0.0.0.0:8080"))));
        Assert.Contains("Fraud__ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListensBeyondLoopbackWhenAnApiKeyIsSet()
    {
        var mode = HandlerMode.FromConfiguration(Config(("urls", "http://*:8080"), ("Fraud:ApiKey", "k")));

        Assert.Equal("0.0.0.0", mode.Urls[0].Host);
    }

    [Fact]
    public void RefusesAKestrelEndpointBeyondLoopbackWithoutAnApiKey()
    {
        var ex = Assert.Throws<HandlerConfigurationException>(() => HandlerMode.FromConfiguration(Config(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080"))));
        Assert.Contains("Fraud__ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListensOnAKestrelEndpointOfLoopbackOrWithAKey()
    {
        var loopback = HandlerMode.FromConfiguration(Config(("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:8080")));
        var keyed = HandlerMode.FromConfiguration(Config(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080"), ("Fraud:ApiKey", "k")));

        Assert.Equal([new Uri("http://127.0.0.1:8080")], loopback.Urls);
        Assert.Equal("0.0.0.0", keyed.Urls[0].Host);
    }

    [Fact]
    public void RefusesKestrelEndpointsUnderTheFunctionsHost()
    {
        Assert.Throws<HandlerConfigurationException>(() => HandlerMode.FromConfiguration(Config(("FUNCTIONS_CUSTOMHANDLER_PORT", "40123"), ("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:80"))));
    }

    [Fact]
    public void RejectsAPortThatIsNotANumber()
    {
        Assert.Throws<HandlerConfigurationException>(() => HandlerMode.FromConfiguration(Config(("FUNCTIONS_CUSTOMHANDLER_PORT", "abc"))));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
