using System.Net;
using Airlock.Core.Policy;
using Airlock.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class EgressTargetParserTests
{
    [Theory]
    [InlineData("PyPI.org", EgressTargetKind.Domain, "pypi.org", null)]
    [InlineData("files.pythonhosted.org:8443", EgressTargetKind.Domain, "files.pythonhosted.org", 8443)]
    [InlineData("*.s3.amazonaws.com", EgressTargetKind.DomainSuffix, "s3.amazonaws.com", null)]
    [InlineData("*.example.com:443", EgressTargetKind.DomainSuffix, "example.com", 443)]
    [InlineData("xn--bcher-kva.de", EgressTargetKind.Domain, "xn--bcher-kva.de", null)]
    public void TryParse_ReadsHostNames_LowerCased(string text, EgressTargetKind kind, string host, int? port)
    {
        Assert.True(EgressTargetParser.TryParse(text, allowNetworks: false, out var target, out var error), error);
        Assert.Equal(new EgressTarget { Pattern = text, Kind = kind, Host = host, Port = port }, target);
    }

    [Theory]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.0.2.1", "192.0.2.1/32")]
    [InlineData("192.0.2.128/25", "192.0.2.128/25")]
    [InlineData("::1", "::1/128")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    public void TryParse_ReadsAddressesAndRanges(string text, string network)
    {
        Assert.True(EgressTargetParser.TryParse(text, allowNetworks: true, out var target, out var error), error);
        Assert.Equal(EgressTargetKind.Network, target!.Kind);
        Assert.Equal(IPNetwork.Parse(network), target.Network);
        Assert.Null(target.Host);
    }

    [Theory]
    [InlineData("192.0.2.7:5432", "192.0.2.7/32", 5432)]
    [InlineData("192.0.2.0/24:443", "192.0.2.0/24", 443)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1/128", 443)]
    [InlineData("[2001:db8::]/32:8443", "2001:db8::/32", 8443)]
    public void TryParse_ReadsAddressesAndRangesWithAPort(string text, string network, int port)
    {
        Assert.True(EgressTargetParser.TryParse(text, allowNetworks: true, out var target, out var error), error);
        Assert.Equal(EgressTargetKind.Network, target!.Kind);
        Assert.Equal(IPNetwork.Parse(network), target.Network);
        Assert.Equal(port, target.Port);
        Assert.Equal(text, target.Pattern);
        Assert.True(EgressMatch.Matches(target, IPNetwork.Parse(network).BaseAddress.ToString(), port));
        Assert.False(EgressMatch.Matches(target, IPNetwork.Parse(network).BaseAddress.ToString(), port + 1));
    }

    [Fact]
    public void TryParse_RefusesAddressesWhereOnlyNamesMayGo() =>
        Assert.False(EgressTargetParser.TryParse("192.0.2.1", allowNetworks: false, out _, out _));

    [Fact]
    public void TryParse_RefusesALabelLongerThanDnsAllows() =>
        Assert.False(EgressTargetParser.TryParse(new string('a', 64) + ".com", allowNetworks: true, out _, out _));

    [Fact]
    public void TryParse_RefusesATrailingNewline() =>
        Assert.False(EgressTargetParser.TryParse("pypi.org\n", allowNetworks: true, out _, out _));
}
