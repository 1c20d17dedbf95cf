using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Airlock.RedTeam.Host.Internet;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// Issue 4's allowlist acceptance on real sandboxes: with <c>allow: [ "pkgs.test" ]</c> the sandbox reaches pkgs.test
/// over HTTPS through the proxy variables and without them, and nothing else: not other.test by name or address,
/// not by raw TCP, UDP or ICMP, not in DNS, not the metadata address, not another sandbox, not the host's services.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressAllowlistTests(EgressSession session) : IClassFixture<EgressSession>
{
    private const string AllowPkgs = "network: { allow: [ \"pkgs.test\" ] }\n";

    [Theory]
    [InlineData("container")]
    [InlineData("gvisor")]
    [InlineData("microvm")]
    public async Task AllowPkgs_ReachesPkgsWithAndWithoutProxyVariables_AndNothingElse(string tier)
    {
        var inet = session.Internet;
        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        var hostPort = ((IPEndPoint)hostService.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var id = await session.CreateAsync(AllowPkgs, tier);
        var lease = session.Lease(id);
        Assert.NotNull(lease);
        // Without secrets the gateway tunnels HTTPS untouched: the sandbox checks the test internet's certificate itself.
        Assert.True((await session.CopyInAsync(id, inet.CaPath, "/tmp/ca.pem")).ExitCode == 0);
        var curl = "curl -fsS --max-time 10 --cacert /tmp/ca.pem";
        var probe = "import socket,sys\ns=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=5)\ns.sendall(b'hi')\nd=s.recv(100)\nprint(d)\nsys.exit(0 if d else 3)";
        var udp = "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(3)\ns.sendto(b'udp-probe',(sys.argv[1],7001))\nprint(s.recvfrom(100))";
        var icmp = "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM,socket.IPPROTO_ICMP)\ns.settimeout(3)\ns.sendto(b'\\x08\\x00\\xf7\\xff\\x00\\x00\\x00\\x00',(sys.argv[1],0))\nprint(s.recvfrom(100))";
        var script = EgressSession.StepFunction +
            $"step proxy {curl} https://pkgs.test/via-proxy\n" +
            $"step direct noproxy {curl} https://pkgs.test/direct\n" +
            $"step other_proxy {curl} https://other.test/\n" +
            $"step other_direct noproxy {curl} https://other.test/\n" +
            $"step other_ip noproxy {curl} -k https://{inet.Other}/\n" +
            $"step other_ip_http noproxy {curl} http://{inet.Other}/\n" +
            $"step other_raw python3 -c \"{probe}\" {inet.Other} 7000\n" +
            $"step other_udp python3 -c \"{udp}\" {inet.Other}\n" +
            $"step other_icmp python3 -c \"{icmp}\" {inet.Other}\n" +
            "step getent_other getent hosts other.test\n" +
            "step getent_pkgs getent hosts pkgs.test\n" +
            $"step metadata {curl} http://{TestInternet.Metadata}/latest/meta-data/\n" +
            $"step metadata_direct noproxy {curl} http://{TestInternet.Metadata}/latest/meta-data/\n" +
            $"step host_veth python3 -c \"{probe}\" {lease!.HostAddress} {hostPort}\n" +
            $"step host_inet python3 -c \"{probe}\" {inet.HostAddress} {hostPort}\n" +
            $"step host_loopback python3 -c \"{probe}\" 127.0.0.1 {hostPort}\n";
        var run = await session.ShAsync(id, script);
        var results = EgressSession.Results(run);
        var report = run.ToString();

        Assert.True(results["proxy"].Exit == 0, report);
        Assert.Contains("hello from pkgs.test /via-proxy", results["proxy"].Output, StringComparison.Ordinal);
        Assert.True(results["direct"].Exit == 0, report);
        Assert.Contains("hello from pkgs.test /direct", results["direct"].Output, StringComparison.Ordinal);
        foreach (var denied in new[] { "other_proxy", "other_direct", "other_ip", "other_ip_http", "other_raw", "other_udp", "other_icmp", "getent_other", "metadata", "metadata_direct", "host_veth", "host_inet", "host_loopback" })
        {
            Assert.True(results[denied].Exit != 0, $"{denied} got through:\n{report}");
        }

        Assert.True(results["getent_pkgs"].Exit == 0 && results["getent_pkgs"].Output.Contains(inet.Pkgs, StringComparison.Ordinal), report);

        // What arrived in the internet: the two pkgs.test requests, nothing on other.test, the metadata address, raw TCP, UDP or ICMP.
        var requests = inet.Log("requests.log").Where(r => r.GetProperty("path").GetString() is "/via-proxy" or "/direct" || r.GetProperty("local").GetString() != inet.Pkgs).ToList();
        Assert.All(requests, r => Assert.Equal(inet.Pkgs, r.GetProperty("local").GetString()));
        Assert.Contains(requests, r => r.GetProperty("path").GetString() == "/via-proxy");
        Assert.Contains(requests, r => r.GetProperty("path").GetString() == "/direct");
        Assert.Empty(inet.Log("tcp.log"));
        Assert.Empty(inet.Log("udp.log"));
        Assert.Equal(0, await inet.IcmpPacketsAsync());
        Assert.False(hostService.Pending(), "a host listener was reached from the sandbox");

        // Every decision is audited with the rule that made it.
        var audit = await session.AuditAsync(id);
        var decisions = audit.Where(r => r.GetProperty("kind").GetString() == "network.decision").Select(r => r.GetProperty("details")).ToList();
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "allowed" && d.GetProperty("rule").GetString() == "pkgs.test" && d.GetProperty("via").GetString() != "dns");
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "allowed" && d.GetProperty("via").GetString() == "dns" && d.GetProperty("host").GetString() == "pkgs.test");
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "denied" && d.GetProperty("via").GetString() == "dns" && d.GetProperty("host").GetString() == "other.test");
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "denied" && d.TryGetProperty("host", out var h) && h.GetString() == "other.test" && d.GetProperty("via").GetString() != "dns");
        Assert.Contains(decisions, d => d.GetProperty("decision").GetString() == "denied" && d.TryGetProperty("address", out var a) && a.GetString() == inet.Other);
        Assert.All(decisions, d => Assert.False(string.IsNullOrEmpty(d.GetProperty("rule").GetString())));

        var ns = lease.NamespacePath;
        await session.RemoveAsync(id);
        Assert.False(File.Exists(ns), "the sandbox's network namespace outlived it");
        Assert.Null(session.Lease(id));
        Assert.NotEqual(0, (await InternetCommand.TryAsync("nft", ["list", "table", "inet", lease.TableName])).Code);
        Assert.False(Directory.Exists(Path.Combine(session.DataDirectory, "egress", id)));
    }
}
