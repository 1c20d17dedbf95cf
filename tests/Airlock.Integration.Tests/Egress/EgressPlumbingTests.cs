using System.Net;
using System.Net.Sockets;
using Airlock.Core.Network;
using Airlock.RedTeam.Host.Internet;

namespace Airlock.Integration.Tests.Egress;

/// <summary>
/// The namespace, veth and nftables table of a sandbox with egress, proven with stand-in listeners on the gateway's
/// address (no gateway, no runtime): from inside the namespace (host tools run there with <c>ip netns exec</c>),
/// TCP to any address lands on the transparent port, DNS on the DNS port, and UDP, ICMP, the host's other
/// services and the test internet's addresses get nothing. Destroy leaves no namespace, link, table or lease.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressPlumbingTests
{
    private const string Probe = """
        import socket, sys
        kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        try:
            if kind == "tcp":
                s = socket.create_connection((host, port), timeout=3); s.sendall(b"probe"); print("connected", s.recv(100).decode())
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.sendto(b"probe-udp", (host, port)); print("answer", s.recvfrom(100)[0].decode())
        except Exception as e:
            print("failed", type(e).__name__)
        """;

    [Fact]
    public async Task SandboxNamespace_SteersTcpAndDnsToTheGateway_AndLetsNothingElseOut()
    {
        await using var internet = await TestInternet.StartAsync();
        var data = Directory.CreateTempSubdirectory("airlock-plumbing-").FullName;
        var lease = NetworkLeasePool.Acquire("plumb" + Environment.ProcessId, data);
        try
        {
            await SandboxNetwork.CreateAsync(lease);
            using var proxy = Listen(lease.HostAddress, out var proxyPort);
            using var transparent = Listen(lease.HostAddress, out var transparentPort);
            using var dns = new UdpClient(new IPEndPoint(lease.HostAddress, 0));
            var dnsPort = ((IPEndPoint)dns.Client.LocalEndPoint!).Port;
            // A host service on the veth address that is not the gateway's: must stay unreachable.
            using var hostService = Listen(lease.HostAddress, out var hostServicePort);
            using var loopbackService = Listen(IPAddress.Loopback, out var loopbackPort);
            await SandboxNetwork.ApplyFirewallAsync(lease, new GatewayPorts(proxyPort, transparentPort, dnsPort));

            // TCP to the internet's address, any port: lands on the transparent port, never on the internet.
            var accept = transparent.AcceptSocketAsync();
            var connect = InNamespace(lease, "tcp", internet.Pkgs, 443);
            using (var redirected = await accept.WaitAsync(TimeSpan.FromSeconds(30)))
            {
                redirected.Send("via-gateway"u8);
                Assert.Equal(lease.SandboxAddress, ((IPEndPoint)redirected.RemoteEndPoint!).Address);
            }

            Assert.Contains("connected via-gateway", await connect);
            var raw = transparent.AcceptSocketAsync();
            var rawConnect = InNamespace(lease, "tcp", internet.Other, 7000);
            using (var rawRedirected = await raw.WaitAsync(TimeSpan.FromSeconds(30))) rawRedirected.Send("stand-in"u8);
            Assert.Contains("connected stand-in", await rawConnect);
            Assert.Empty(internet.Log("tcp.log"));

            // The explicit proxy port is reached as addressed.
            var proxied = proxy.AcceptSocketAsync();
            _ = InNamespace(lease, "tcp", lease.HostAddress.ToString(), proxyPort);
            (await proxied.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();

            // DNS to any resolver address lands on the gateway's DNS port.
            var query = dns.ReceiveAsync();
            _ = InNamespace(lease, "udp", internet.Other, 53);
            var received = await query.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("probe-udp", System.Text.Encoding.ASCII.GetString(received.Buffer));

            // Other UDP, the metadata address, the host's other services: nothing.
            Assert.Contains("failed", await InNamespace(lease, "udp", internet.Other, 7001));
            Assert.Empty(internet.Log("udp.log"));
            Assert.Contains("failed", await InNamespace(lease, "udp", TestInternet.Metadata, 7001));
            var stray = hostService.AcceptSocketAsync();
            await InNamespace(lease, "tcp", lease.HostAddress.ToString(), hostServicePort);
            Assert.False(stray.IsCompleted, "a host service on the veth address was reached");
            var lo = loopbackService.AcceptSocketAsync();
            await InNamespace(lease, "tcp", "127.0.0.1", loopbackPort);
            Assert.False(lo.IsCompleted, "a host service on 127.0.0.1 was reached");

            // ICMP echo to the internet: no packet arrives there.
            await InternetCommand.TryAsync("ip", ["netns", "exec", lease.NamespaceName, "/usr/bin/python3", "-c",
                $"import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP)\ns.sendto(b'\\x08\\x00\\xf7\\xff\\x00\\x00\\x00\\x00',('{internet.Other}',0))"]);
            Assert.Equal(0, await internet.IcmpPacketsAsync());
        }
        finally
        {
            await SandboxNetwork.DestroyAsync(lease);
            NetworkLeasePool.Release(lease);
            Directory.Delete(data, recursive: true);
        }

        Assert.False(File.Exists(lease.NamespacePath));
        Assert.False(Directory.Exists($"/sys/class/net/{lease.HostInterface}"));
        Assert.NotEqual(0, (await InternetCommand.TryAsync("nft", ["list", "table", "inet", lease.TableName])).Code);
        Assert.DoesNotContain(NetworkLeasePool.List(), l => l.Index == lease.Index && l.SandboxId == lease.SandboxId);
    }

    [Fact]
    public void Ruleset_RedirectsTcpAndDns_AndDropsTheRestOnTheVeth()
    {
        var lease = new NetworkLease(5, "abc", "/data");
        var rules = EgressFirewall.Ruleset(lease, new GatewayPorts(3128, 3129, 5353));
        Assert.Contains("table inet airlock_5", rules);
        Assert.Contains("iifname \"alk5\" meta nfproto ipv4 meta l4proto tcp redirect to :3129", rules);
        Assert.Contains("udp dport 53 redirect to :5353", rules);
        Assert.Contains("iifname \"alk5\" drop", rules);
        Assert.Contains("oifname \"alk5\" drop", rules);
        Assert.Equal("10.203.0.21", lease.HostAddress.ToString());
        Assert.Equal("10.203.0.22", lease.SandboxAddress.ToString());
    }

    private static TcpListener Listen(IPAddress address, out int port)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    private static async Task<string> InNamespace(NetworkLease lease, string kind, string host, int port)
    {
        var (_, stdout, stderr) = await InternetCommand.TryAsync("ip", ["netns", "exec", lease.NamespaceName, "/usr/bin/python3", "-c", Probe, kind, host, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return stdout + stderr;
    }
}
