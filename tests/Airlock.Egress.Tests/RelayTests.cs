using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

/// <summary>
/// The relay of bytes the gateway does not inspect (responses, CONNECT and transparent tunnels), through a buffer that
/// grows while a bulk transfer fills it: every byte arrives in order, and the audit record, the quota and the rate limit
/// see every byte.
/// </summary>
public sealed class RelayTests
{
    [Fact]
    public async Task Connect_EchoOfEightMegabytes_ArrivesWholeAndTheAuditCountsEveryByte()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Network("127.0.0.4/32")));
        var payload = Payload(8_000_000);

        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        var connect = Encoding.ASCII.GetBytes($"CONNECT 127.0.0.4:{h.Echo.EndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.4\r\n\r\n");
        await socket.SendAsync(connect);
        var established = await ReadHeadAsync(socket);
        var echoed = await EchoAsync(socket, payload);

        Assert.StartsWith("HTTP/1.1 200", established, StringComparison.Ordinal);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echo differs from what was sent");
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Ok && e.Details.GetValueOrDefault("via") == "proxy", "the tunnel");
        Assert.Equal(connect.Length + payload.Length, Count(record, "bytes_up"));
        Assert.Equal(established.Length + payload.Length, Count(record, "bytes_down"));
    }

    [Fact]
    public async Task Transparent_RawEcho_PassesOnThePeekedBytesFirst_AndCountsEveryByte()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Network("127.0.0.4/32")));
        h.Redirect = h.Echo.EndPoint;
        var payload = Payload(3_000_000);

        using var socket = await h.ConnectAsync(h.Gateway.TransparentEndPoint);
        var echoed = await EchoAsync(socket, payload);

        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echo differs from what was sent");
        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Ok && e.Details.GetValueOrDefault("via") == "transparent", "the tunnel");
        Assert.Equal(payload.Length, Count(record, "bytes_up"));
        Assert.Equal(payload.Length, Count(record, "bytes_down"));
    }

    [Fact]
    public async Task Proxy_Download_CountsExactlyTheBytesTheSandboxReceived()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));

        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        var request = Encoding.ASCII.GetBytes($"GET http://pkgs.test:{h.Pkgs.EndPoint.Port}/bytes/5000000 HTTP/1.1\r\nHost: pkgs.test\r\n\r\n");
        await socket.SendAsync(request);
        var received = await DrainAsync(socket);

        var record = await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Ok && e.Details.GetValueOrDefault("via") == "proxy", "the download");
        Assert.InRange(received, 5_000_000 + 1, 5_000_000 + 200);
        Assert.Equal(received, Count(record, "bytes_down"));
        Assert.Equal(request.Length, Count(record, "bytes_up"));
    }

    [Fact]
    public async Task Connect_AtSixteenMegabit_EchoesBothWaysWithinTwentyPercentOfTwoMegabytesPerSecond()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Network("127.0.0.4/32")) with { RateBitsPerSecond = 16_000_000 });
        var payload = Payload(4_000_000);

        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.4:{h.Echo.EndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.4\r\n\r\n"));
        await ReadHeadAsync(socket);
        var clock = Stopwatch.StartNew();
        var echoed = await EchoAsync(socket, payload);
        clock.Stop();

        // Each direction pays its own bucket, so the echo (up and down at once) takes as long as one direction alone.
        Assert.Equal(payload.Length, echoed.Length);
        Assert.InRange(payload.Length / clock.Elapsed.TotalSeconds, 0.8 * 2_000_000, 1.2 * 2_000_000);
    }

    [Fact]
    public async Task Connect_PastTheQuota_IsCutOffAndAudited()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Network("127.0.0.4/32")) with { QuotaBytes = 300_000 });

        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.4:{h.Echo.EndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.4\r\n\r\n"));
        await ReadHeadAsync(socket);
        var sending = SendQuietlyAsync(socket, Payload(2_000_000));
        var received = await DrainAsync(socket);
        await sending;

        Assert.True(received < 300_000, $"{received} bytes came back through a 300 kB quota");
        await h.AuditedAsync(e => e.Outcome == AuditOutcomes.Denied && e.Details.GetValueOrDefault("rule") == "quota", "the quota refusal");
    }

    internal static byte[] Payload(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        // Neither a TLS handshake (0x16) nor an HTTP method: the transparent listener tunnels it by CIDR rule.
        payload[0] = 0x01;
        return payload;
    }

    /// <summary>Sends <paramref name="payload"/> then half-closes, while reading everything that comes back until the far end closes.</summary>
    internal static async Task<byte[]> EchoAsync(Socket socket, byte[] payload)
    {
        var sending = Task.Run(async () =>
        {
            await socket.SendAsync(payload);
            socket.Shutdown(SocketShutdown.Send);
        });
        var echoed = new MemoryStream();
        var buffer = new byte[256 * 1024];
        int n;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) echoed.Write(buffer, 0, n);
        await sending;
        return echoed.ToArray();
    }

    internal static async Task<long> DrainAsync(Socket socket)
    {
        var buffer = new byte[256 * 1024];
        long received = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) received += n;
        }
        catch (SocketException)
        {
            // Reset by the gateway (a refusal with unread bytes): what arrived before counts.
        }

        return received;
    }

    internal static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one) == 0) throw new IOException("closed before the head ended");
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task SendQuietlyAsync(Socket socket, byte[] payload)
    {
        try
        {
            await socket.SendAsync(payload);
        }
        catch (SocketException)
        {
            // The gateway cut the tunnel off mid-send: that is the point.
        }
    }

    private static long Count(AuditRecord record, string key) => long.Parse(record.Event.Details[key], CultureInfo.InvariantCulture);
}
