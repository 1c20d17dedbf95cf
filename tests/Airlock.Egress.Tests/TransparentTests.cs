using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

/// <summary>
/// Connections that reach the transparent listener as nftables' redirect would deliver them; the harness's
/// <see cref="EgressHarness.Redirect"/> stands in for SO_ORIGINAL_DST.
/// </summary>
public sealed class TransparentTests
{
    [Fact]
    public async Task Tls_AllowedSniToItsOwnAddress_IsTunnelled()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        h.Redirect = h.PkgsTls.EndPoint;
        using var client = h.Client(viaProxy: false, TestCertificates.Root);

        var body = await client.GetStringAsync($"https://pkgs.test:{h.PkgsTls.EndPoint.Port}/simple/");

        Assert.Equal("pkgs.test GET /simple/", body);
        var record = await h.AuditedAsync(e => e.Details.GetValueOrDefault("via") == "transparent", "the transparent connection");
        Assert.Equal(AuditOutcomes.Ok, record.Event.Outcome);
        Assert.Equal("pkgs.test", record.Event.Details["rule"]);
        Assert.Equal("pkgs.test", record.Event.Details["host"]);
    }

    [Fact]
    public async Task Tls_AllowedSniToAnotherAddress_IsRefusedAsFronting()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        // other.test's listener speaks TLS for "pkgs.test" here, but 127.0.0.3 is not where the gateway resolves pkgs.test.
        await using var fronted = TestOrigin.Https("pkgs.test", EgressHarness.OtherAddress);
        h.Redirect = fronted.EndPoint;
        using var client = h.Client(viaProxy: false, TestCertificates.Root);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"https://pkgs.test:{fronted.EndPoint.Port}/"));

        Assert.Empty(fronted.Requests);
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the fronting attempt");
        Assert.Equal("pkgs.test", record.Event.Details["rule"]);
        Assert.Equal("127.0.0.3", record.Event.Details["address"]);
        Assert.Contains("not an address the gateway resolves", record.Event.Details["reason"]);
    }

    [Fact]
    public async Task Tls_SniNotAllowed_IsRefused()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        h.Redirect = h.PkgsTls.EndPoint;
        using var client = h.Client(viaProxy: false, TestCertificates.Root);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"https://other.test:{h.PkgsTls.EndPoint.Port}/"));

        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the refused SNI");
        Assert.Equal("other.test", record.Event.Details["host"]);
        Assert.Equal("not in network.allow", record.Event.Details["rule"]);
    }

    [Fact]
    public async Task Http_HostHeader_DecidesAndDeniedHostsGet403()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        h.Redirect = h.Pkgs.EndPoint;
        using var client = h.Client(viaProxy: false);

        Assert.Equal("pkgs.test GET /ok", await client.GetStringAsync($"http://pkgs.test:{h.Pkgs.EndPoint.Port}/ok"));
        h.Redirect = h.Other.EndPoint;
        using var denied = await client.GetAsync($"http://other.test:{h.Other.EndPoint.Port}/no");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Empty(h.Other.Requests);
    }

    [Fact]
    public async Task RawTcp_AllowedOnlyByCidrAndPort()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test"), Allow.Network("127.0.0.4/32", h.Echo.EndPoint.Port)));
        h.Redirect = h.Echo.EndPoint;

        using (var socket = await h.ConnectAsync(h.Gateway.TransparentEndPoint))
        {
            await socket.SendAsync("\x01\x02 binary hello"u8.ToArray());
            var buffer = new byte[64];
            var n = await socket.ReceiveAsync(buffer);
            Assert.Equal("\x01\x02 binary hello", Encoding.ASCII.GetString(buffer, 0, n));
        }

        var allowed = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Ok && e.Details.GetValueOrDefault("via") == "transparent", "the echo");
        Assert.Equal($"127.0.0.4/32:{h.Echo.EndPoint.Port}", allowed.Event.Details["rule"]);

        h.Redirect = h.Other.EndPoint;
        using var refused = await h.ConnectAsync(h.Gateway.TransparentEndPoint);
        await refused.SendAsync("hello"u8.ToArray());
        Assert.Equal(0, await ReceiveOrClosedAsync(refused));
        var denied = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the refused raw connection");
        Assert.Equal("127.0.0.3", denied.Event.Details["address"]);
    }

    [Fact]
    public async Task NoOriginalDestination_IsRefused()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Network("127.0.0.0/8")));
        h.Redirect = null;

        using var socket = await h.ConnectAsync(h.Gateway.TransparentEndPoint);

        Assert.Equal(0, await ReceiveOrClosedAsync(socket));
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied, "the unredirected connection");
        Assert.Equal("no-original-destination", record.Event.Details["rule"]);
    }

    [Fact]
    public void OriginalDestination_OfAnUnredirectedSocket_IsNull()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(EgressHarness.GatewayAddress, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();

        // Production reads conntrack; with no NAT entry the kernel answers ENOENT, which must read as "not redirected".
        Assert.Null(OriginalDestination.Read(accepted));
    }

    private static async Task<int> ReceiveOrClosedAsync(Socket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
