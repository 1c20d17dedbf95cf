using System.Globalization;

namespace Airlock.Integration.Tests.Egress;

/// <summary>Sandboxes with egress do not reach each other, and <c>egress_rate</c> holds a download to its rate.</summary>
[Collection(SandboxCollection.Name)]
public sealed class EgressIsolationTests(EgressSession session) : IClassFixture<EgressSession>
{
    [Fact]
    public async Task SandboxA_CannotReachAListenerInSandboxB_NorAirlocksApi()
    {
        await using var daemon = await DaemonSession.StartAsync();
        var apiPort = daemon.Daemon.Url.Port;
        const string policy = "network: { allow: [ \"pkgs.test\" ] }\n";
        var a = await session.CreateAsync(policy);
        var b = await session.CreateAsync(policy);
        var bAddress = session.Lease(b)!.SandboxAddress.ToString();
        var serve = await session.ShAsync(b, "mkdir -p /tmp/www && echo B-MARKER > /tmp/www/marker.txt && cd /tmp/www && setsid python3 -m http.server 8080 --bind 0.0.0.0 >/dev/null 2>&1 </dev/null & for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8080/ && echo up && break; sleep 0.2; done");
        Assert.Contains("up", serve.Stdout, StringComparison.Ordinal);

        // A step succeeds only when B's own server answered (its marker file); the gateway's 403 is not B.
        var script = EgressSession.StepFunction +
            $"step b_direct noproxy sh -c 'curl -sS --max-time 5 http://{bAddress}:8080/marker.txt | grep B-MARKER'\n" +
            $"step b_proxy sh -c 'curl -sS --max-time 5 http://{bAddress}:8080/marker.txt | grep B-MARKER'\n" +
            $"step b_raw python3 -c \"import socket;s=socket.create_connection(('{bAddress}',8080),timeout=5);s.sendall(b'GET /marker.txt HTTP/1.0\\r\\n\\r\\n');d=s.recv(4096);print(d);exit(0 if b'B-MARKER' in d else 3)\"\n" +
            // Airlock's API (on the host's loopback here) through every address of the host the sandbox can name;
            // only the API's own health answer counts as reaching it.
            $"step api_veth noproxy sh -c 'curl -sS --max-time 5 http://{session.Lease(a)!.HostAddress}:{apiPort}/health | grep -q ok'\n" +
            $"step api_inet noproxy sh -c 'curl -sS --max-time 5 http://{session.Internet.HostAddress}:{apiPort}/health | grep -q ok'\n" +
            $"step api_proxy sh -c 'curl -sS --noproxy \"\" --max-time 5 http://127.0.0.1:{apiPort}/health | grep -q ok'\n";
        var run = await session.ShAsync(a, script);
        var results = EgressSession.Results(run);
        foreach (var step in new[] { "b_direct", "b_proxy", "b_raw", "api_veth", "api_inet", "api_proxy" })
        {
            Assert.True(results[step].Exit != 0, $"{step} reached sandbox B:\n{run}");
        }

        var audit = await session.AuditAsync(a);
        Assert.Contains(audit, r => r.GetProperty("kind").GetString() == "network.decision"
            && r.GetProperty("details").GetProperty("decision").GetString() == "denied"
            && r.GetProperty("details").TryGetProperty("address", out var address) && address.GetString() == bAddress);
        await session.RemoveAsync(a);
        await session.RemoveAsync(b);
    }

    [Fact]
    public async Task EgressRate8Mbit_HoldsA20MegabyteDownloadWithin20PercentOf1MegabytePerSecond()
    {
        var id = await session.CreateAsync("network: { allow: [ \"pkgs.test\" ] }\nlimits: { egress_rate: 8mbit }\n");
        var run = await session.ShAsync(id, $"curl -sS --max-time 100 -o /dev/null -w '%{{speed_download}} %{{size_download}}' http://pkgs.test/big/{20_000_000}");
        Assert.True(run.ExitCode == 0, run.ToString());
        var parts = run.Stdout.Trim().Split(' ');
        Assert.Equal(20_000_000, long.Parse(parts[1], CultureInfo.InvariantCulture));
        var bytesPerSecond = double.Parse(parts[0], CultureInfo.InvariantCulture);
        Assert.InRange(bytesPerSecond, 800_000, 1_200_000);
        await session.RemoveAsync(id);
    }
}
