namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// DNS tunnelling: a sandbox allowed only <c>pkgs.test</c> looks up hundreds of random subdomains of a denied domain,
/// straight at its resolver with hand-made queries; not one gets an answer, and the gateway raises a dns_tunnel alert.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressDnsTests(EgressSession session) : IClassFixture<EgressSession>
{
    // Sends N A-queries for <random>.tunnel.other.test to the resolver in /etc/resolv.conf (and, to show the
    // nftables redirect, every tenth to other.test's own address on port 53); counts replies and answers.
    private const string Tunnel = """
        import os, socket, struct, sys
        ns = [l.split()[1] for l in open('/etc/resolv.conf') if l.startswith('nameserver')][0]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
        replies = answers = 0
        for i in range(int(sys.argv[1])):
            name = os.urandom(12).hex() + '.tunnel.other.test'
            q = struct.pack('>HHHHHH', i, 0x0100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0' + struct.pack('>HH', 1, 1)
            s.sendto(q, (sys.argv[2] if i % 10 == 9 else ns, 53))
            try:
                d, _ = s.recvfrom(4096)
            except socket.timeout:
                continue
            replies += 1
            if d[3] & 15 == 0 and struct.unpack('>H', d[6:8])[0] > 0:
                answers += 1
        print('replies=%d answers=%d' % (replies, answers))
        """;

    [Theory]
    [InlineData("container", 1000)]
    [InlineData("gvisor", 300)]
    public async Task TunnellingThroughDns_GetsNoAnswer_AndRaisesAnAlert(string tier, int lookups)
    {
        var id = await session.CreateAsync("network: { allow: [ \"pkgs.test\" ] }\n", tier);
        Assert.True((await session.WriteFileAsync(id, "/tmp/tunnel.py", Tunnel)).ExitCode == 0);
        var run = await session.ShAsync(id, $"python3 /tmp/tunnel.py {lookups} {session.Internet.Other}; getent hosts pkgs.test");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("answers=0", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("replies=0 ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(session.Internet.Pkgs, run.Stdout, StringComparison.Ordinal);
        Assert.Empty(session.Internet.Log("udp.log"));

        var audit = await session.AuditAsync(id);
        var alert = Assert.Single(audit, r => r.GetProperty("kind").GetString() == "anomaly"
            && r.GetProperty("details").GetProperty("reason").GetString() == "dns_tunnel");
        Assert.Equal("alert", alert.GetProperty("outcome").GetString());
        Assert.EndsWith("other.test", alert.GetProperty("details").GetProperty("domain").GetString(), StringComparison.Ordinal);
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "network.decision"
            && r.GetProperty("details").GetProperty("via").GetString() == "dns"
            && r.GetProperty("details").GetProperty("decision").GetString() == "denied"
            && r.GetProperty("details").GetProperty("host").GetString()!.EndsWith(".tunnel.other.test", StringComparison.Ordinal));
        await session.RemoveAsync(id);
    }
}
