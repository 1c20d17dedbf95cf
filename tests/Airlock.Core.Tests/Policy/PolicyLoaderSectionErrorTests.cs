using static Airlock.Core.Tests.Policy.PolicyErrorsAssert;

namespace Airlock.Core.Tests.Policy;

public sealed class PolicyLoaderSectionErrorTests
{
    [Theory]
    [InlineData("10.0.0.1/8", "has bits set after the /8 prefix; did you mean 10.0.0.0/8?")]
    [InlineData("10.0.0.0/33", "has a bad prefix length; use /0 to /32")]
    [InlineData("10.0.0.0/", "has a bad prefix length")]
    [InlineData("10.0.0.256/24", "is not an address or CIDR range")]
    [InlineData("2001:db8::/129", "has a bad prefix length; use /0 to /128")]
    [InlineData("2001:db8::1/32", "did you mean 2001:db8::/32?")]
    [InlineData("10.1/16", "is not a host name")]
    [InlineData("fe80::1%eth0", "is not an address or CIDR range")]
    [InlineData("[2001:db8::1]", "is not an address or CIDR range")]
    [InlineData("[2001:db8::1]:99999", "is not a port")]
    public void Load_RejectsABadCidr_AtItsListEntry(string entry, string message)
    {
        var error = SingleError($"network:\n  allow:\n    - pypi.org\n    - \"{entry}\"\n");
        Assert.StartsWith($"4:7: network.allow[1]: '{entry}'", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exa mple.com", "'exa mple' is not a DNS label")]
    [InlineData("-bad.example.com", "'-bad' is not a DNS label")]
    [InlineData("foo..com", "empty label")]
    [InlineData("pypi.org.", "empty label")]
    [InlineData("pypi", "write the full name")]
    [InlineData("*", "would allow every host")]
    [InlineData("*.*.example.com", "'*' may appear only once, as the whole first label")]
    [InlineData("a.*.example.com", "'*' may appear only once, as the whole first label")]
    [InlineData("*.org", "would allow a whole top-level domain")]
    [InlineData("https://pypi.org/simple", "without a scheme or path")]
    [InlineData("pypi.org:0", "is not a port")]
    [InlineData("pypi.org:99999", "is not a port")]
    [InlineData("pypi.org:https", "is not a port")]
    [InlineData("198.51.100.7:0", "is not a port")]
    [InlineData("198.51.100.0/24:https", "is not a port")]
    [InlineData("198.51.100.1/24:443", "did you mean 198.51.100.0/24")]
    [InlineData("10.0.0.999", "is not an address")]
    [InlineData("example.123", "its last label is a number")]
    [InlineData("bücher.de", "xn--")]
    [InlineData("", "empty; write a host name")]
    public void Load_RejectsABadDomain_AtItsListEntry(string entry, string message)
    {
        var error = SingleError($"network: {{ allow: [ \"{entry}\" ] }}");
        Assert.StartsWith("1:21: network.allow[0]: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1KEY: { from: env:X, hosts: [ a.example.com ] }", "1KEY", "secrets.1KEY: '1KEY' is not a secret name")]
    [InlineData("KEY: { from: vault:x, hosts: [ a.example.com ] }", "vault", "secrets.KEY.from: 'vault:x' is not a secret source")]
    [InlineData("KEY: { from: env:9X, hosts: [ a.example.com ] }", "env:", "secrets.KEY.from: '9X' is not an environment variable name")]
    [InlineData("KEY: { from: file:secrets/key, hosts: [ a.example.com ] }", "file:", "secrets.KEY.from: 'secrets/key' is not an absolute path")]
    [InlineData("KEY: { from: env:X }", "{", "secrets.KEY: missing 'hosts'")]
    [InlineData("KEY: { from: env:X, hosts: [] }", "[", "secrets.KEY.hosts: empty")]
    [InlineData("KEY: { from: env:X, hosts: [ 10.0.0.0/8 ] }", "10.", "secrets.KEY.hosts[0]: '10.0.0.0/8' is an address; secrets go to host names only")]
    [InlineData("KEY: { hosts: [ a.example.com ] }", "{", "secrets.KEY: missing 'from'")]
    [InlineData("KEY: { from: env:X, hosts: [ a.example.com ], header: \"X Key\" }", "\"X", "secrets.KEY.header: 'X Key' is not an HTTP header name")]
    [InlineData("KEY: env:X", "env", "secrets.KEY: expected a mapping with from, hosts, header")]
    public void Load_RejectsABadSecret(string secret, string at, string expected) =>
        Assert.StartsWith($"2:{secret.IndexOf(at, StringComparison.Ordinal) + 3}: {expected}", SingleError($"secrets:\n  {secret}\n"), StringComparison.Ordinal);

    [Theory]
    [InlineData("{ path: workspace, access: read-write }", "workspace", "files[0].path: 'workspace' is not an absolute path")]
    [InlineData("{ path: /workspace/../etc, access: read-write }", "/workspace", "files[0].path: '/workspace/../etc' has a '.' or '..' segment")]
    [InlineData("{ path: /workspace, access: rw }", "rw", "files[0].access: 'rw' is not an access; use read-write, read-only or hidden")]
    [InlineData("{ path: /workspace, access: READ-ONLY }", "READ", "files[0].access: 'READ-ONLY' is not an access")]
    [InlineData("{ access: hidden }", "{", "files[0]: missing 'path'")]
    [InlineData("{ path: /data }", "{", "files[0]: missing 'access'")]
    [InlineData("/workspace", "/", "files[0]: expected a mapping with path, access")]
    public void Load_RejectsABadFileRule(string rule, string at, string expected) =>
        Assert.StartsWith($"2:{rule.IndexOf(at, StringComparison.Ordinal) + 5}: {expected}", SingleError($"files:\n  - {rule}\n"), StringComparison.Ordinal);

    [Fact]
    public void Load_RejectsTwoRulesForOnePath() =>
        Assert.Equal(
            "3:13: files[1].path: '/data' already has a rule at files[0]",
            SingleError("files:\n  - { path: /data, access: read-only }\n  - { path: /data/, access: hidden }\n"));

    [Theory]
    [InlineData("{ when: \"egress_denied >> 20\", then: pause }", "\"egress", "anomalies[0].when: 'egress_denied >> 20' is not a condition")]
    [InlineData("{ when: \"egress_denied > 20 in soon\", then: pause }", "\"egress", "anomalies[0].when: 'soon' is not a duration")]
    [InlineData("{ when: \"egress_denied > 20\", then: explode }", "explode", "anomalies[0].then: 'explode' is not an action; use pause, kill, revoke or alert")]
    [InlineData("{ then: kill }", "{", "anomalies[0]: missing 'when'")]
    public void Load_RejectsABadAnomalyRule(string rule, string at, string expected) =>
        Assert.StartsWith($"2:{rule.IndexOf(at, StringComparison.Ordinal) + 5}: {expected}", SingleError($"anomalies:\n  - {rule}\n"), StringComparison.Ordinal);
}
