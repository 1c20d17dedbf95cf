using System.Net;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

public sealed class ProxyTests
{
    [Fact]
    public async Task Proxy_AllowedHost_ForwardsRequestAndAuditsTheRule()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        using var client = h.Client(viaProxy: true);

        var body = await client.GetStringAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/simple/");

        Assert.Equal("pkgs.test GET /simple/", body);
        var record = await h.AuditedAsync(e => e.Kind == AuditKinds.NetworkDecision && e.Details.GetValueOrDefault("via") == "proxy", "the allowed request");
        Assert.Equal(AuditOutcomes.Ok, record.Event.Outcome);
        Assert.Equal("sb-test", record.Event.SandboxId);
        Assert.Equal("pkgs.test", record.Event.Details["rule"]);
        Assert.Equal("pkgs.test", record.Event.Details["host"]);
        Assert.Equal("127.0.0.2", record.Event.Details["address"]);
        Assert.True(long.Parse(record.Event.Details["bytes_down"], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Proxy_HostNotAllowed_Gets403AndNothingReachesIt()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        using var client = h.Client(viaProxy: true);

        using var response = await client.GetAsync($"http://other.test:{h.Other.EndPoint.Port}/");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("not in the sandbox's network.allow", await response.Content.ReadAsStringAsync());
        Assert.Empty(h.Other.Requests);
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the denial");
        Assert.Equal(AuditKinds.NetworkDecision, record.Event.Kind);
        Assert.Equal("not in network.allow", record.Event.Details["rule"]);
        Assert.Equal("other.test", record.Event.Details["host"]);
    }

    [Fact]
    public async Task Proxy_HostHeaderNamingADeniedHost_IsReplacedByTheUrlsHost()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        using var client = h.Client(viaProxy: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://pkgs.test:{h.Pkgs.EndPoint.Port}/front");
        request.Headers.Host = "other.test";

        using var response = await client.SendAsync(request);

        // Domain fronting over plain HTTP: the allowed server must not be asked for the denied name.
        var seen = Assert.Single(h.Pkgs.Requests);
        Assert.Contains($"Host: pkgs.test:{h.Pkgs.EndPoint.Port}", seen, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("other.test", seen, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Proxy_PortRule_AllowsOnlyThatPort()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test", h.Pkgs.EndPoint.Port)));
        using var client = h.Client(viaProxy: true);

        Assert.Equal("pkgs.test GET /a", await client.GetStringAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/a"));
        using var wrongPort = await client.GetAsync($"http://pkgs.test:{h.PkgsTls.EndPoint.Port}/a");

        Assert.Equal(HttpStatusCode.Forbidden, wrongPort.StatusCode);
    }

    [Fact]
    public async Task Connect_AllowedHost_TunnelsTlsWithTheOriginsOwnCertificate()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("*.test")));
        // The client trusts only the test root: a gateway that intercepted would fail this handshake.
        using var client = h.Client(viaProxy: true, TestCertificates.Root);

        var body = await client.GetStringAsync($"https://pkgs.test:{h.PkgsTls.EndPoint.Port}/simple/");

        Assert.Equal("pkgs.test GET /simple/", body);
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Ok && e.Details.GetValueOrDefault("via") == "proxy", "the tunnel");
        Assert.Equal("*.test", record.Event.Details["rule"]);
        Assert.False(record.Event.Details.ContainsKey("secrets"));
    }

    [Fact]
    public async Task Connect_HostNotAllowed_IsRefused()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        using var client = h.Client(viaProxy: true, TestCertificates.Root);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync($"https://other.test:{h.PkgsTls.EndPoint.Port}/"));

        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the refused CONNECT");
        Assert.Equal("other.test", record.Event.Details["host"]);
        Assert.Equal("not in network.allow", record.Event.Details["rule"]);
    }

    [Fact]
    public async Task Connect_AddressLiteral_NeedsACidrRule()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test"), Allow.Network("127.0.0.2/32", h.Pkgs.EndPoint.Port)));
        using var client = h.Client(viaProxy: true);

        Assert.Equal("pkgs.test GET /x", await client.GetStringAsync($"http://127.0.0.2:{h.Pkgs.EndPoint.Port}/x"));
        using var other = await client.GetAsync($"http://127.0.0.3:{h.Other.EndPoint.Port}/x");

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Empty(h.Other.Requests);
    }

    [Fact]
    public async Task Proxy_FromAnUnattachedAddress_IsRefusedAndAudited()
    {
        await using var h = await EgressHarness.StartAsync();
        using var client = h.Client(viaProxy: true);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/"));

        var record = await h.AuditedAsync(e => e.Details.GetValueOrDefault("rule") == "unknown-source", "the unknown source");
        Assert.Null(record.Event.SandboxId);
        Assert.Equal("127.0.0.20", record.Event.Details["source"]);
        Assert.Empty(h.Pkgs.Requests);
    }
}
