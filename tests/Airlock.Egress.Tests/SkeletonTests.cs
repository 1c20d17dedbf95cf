namespace Airlock.Egress.Tests;

public sealed class SkeletonTests
{
    [Fact]
    public void Options_DefaultToNoStaticHostsAndNoExtraTrust()
    {
        var options = new EgressGatewayOptions { ListenAddress = System.Net.IPAddress.Loopback };
        Assert.Empty(options.StaticHosts);
        Assert.Empty(options.UpstreamTrust);
    }
}
