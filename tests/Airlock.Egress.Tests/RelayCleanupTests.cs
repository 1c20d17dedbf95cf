using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Airlock.Audit;

namespace Airlock.Egress.Tests;

/// <summary>Tests that read the whole process's fds and CPU time: they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide";
}

/// <summary>A relay ends when either side closes, gives back its pipes and sockets, and waits without spinning.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class RelayCleanupTests
{
    [Fact]
    public async Task Relays_EndedByEitherSide_LeaveNoPipeOrSocketOpen()
    {
        await using var h = await EgressHarness.StartAsync();
        h.Attach(h.Tenant(Allow.Host("pkgs.test"), Allow.Network("127.0.0.4/32")));
        await TunnelEchoAsync(h);
        await h.AuditedAsync(e => e.Details.GetValueOrDefault("via") == "proxy", "the warm-up tunnel");
        var before = OpenFds();

        for (var i = 0; i < 5; i++)
        {
            // The origin ends it: a whole download.
            using (var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint))
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET http://pkgs.test:{h.Pkgs.EndPoint.Port}/bytes/2000000 HTTP/1.1\r\nHost: pkgs.test\r\n\r\n"));
                await RelayTests.DrainAsync(socket);
            }

            // The sandbox ends it: a download abandoned after its first megabyte.
            using (var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint))
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET http://pkgs.test:{h.Pkgs.EndPoint.Port}/bytes/500000000 HTTP/1.1\r\nHost: pkgs.test\r\n\r\n"));
                var buffer = new byte[64 * 1024];
                for (long received = 0; received < 1_000_000;) received += await socket.ReceiveAsync(buffer);
            }

            // Both half-close in turn: a tunnel's echo.
            await TunnelEchoAsync(h);
        }

        var records = 0;
        for (var i = 0; i < 200 && records < 16; i++)
        {
            records = (await h.AllAuditAsync()).Count(r => r.Event.Kind == AuditKinds.NetworkDecision);
            await Task.Delay(50);
        }

        Assert.Equal(16, records);
        var after = OpenFds();
        for (var i = 0; i < 100 && (after.Pipes > before.Pipes || after.Sockets > before.Sockets); i++)
        {
            await Task.Delay(100);
            after = OpenFds();
        }

        Assert.Equal(before.Pipes, after.Pipes);
        Assert.True(after.Sockets <= before.Sockets, $"{after.Sockets} sockets open after the relays, {before.Sockets} before");
    }

    [Fact]
    public async Task IdleTunnel_WaitsWithoutSpinning_AndEndsWhenTheSandboxIsDetached()
    {
        await using var h = await EgressHarness.StartAsync();
        var attachment = h.Gateway.Attach(h.Tenant(Allow.Network("127.0.0.4/32")));
        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.4:{h.Echo.EndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.4\r\n\r\n"));
        await RelayTests.ReadHeadAsync(socket);
        await socket.SendAsync("ping"u8.ToArray());
        Assert.Equal(4, await socket.ReceiveAsync(new byte[16]));

        // A relay that polled would burn most of a core in every second it idles; one that waits costs next to nothing
        // once the runtime has settled (tiered JIT and the GC keep the process busy for some seconds after earlier tests).
        var quietest = TimeSpan.MaxValue;
        for (var i = 0; i < 10 && quietest > TimeSpan.FromMilliseconds(150); i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.Delay(1000);
            var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (spent < quietest) quietest = spent;
        }

        attachment.Dispose();

        Assert.True(quietest < TimeSpan.FromMilliseconds(150), $"an idle tunnel cost at least {quietest.TotalMilliseconds} ms of CPU in every second");
        Assert.Equal(0, await RelayTests.DrainAsync(socket));
    }

    private static async Task TunnelEchoAsync(EgressHarness h)
    {
        using var socket = await h.ConnectAsync(h.Gateway.ProxyEndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.4:{h.Echo.EndPoint.Port} HTTP/1.1\r\nHost: 127.0.0.4\r\n\r\n"));
        await RelayTests.ReadHeadAsync(socket);
        var payload = RelayTests.Payload(300_000);
        Assert.Equal(payload.Length, (await RelayTests.EchoAsync(socket, payload)).Length);
    }

    private static (int Pipes, int Sockets) OpenFds()
    {
        var targets = Directory.GetFiles("/proc/self/fd").Select(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget ?? "";
            }
            catch (IOException)
            {
                return "";
            }
        }).ToList();
        return (targets.Count(t => t.StartsWith("pipe:", StringComparison.Ordinal)), targets.Count(t => t.StartsWith("socket:", StringComparison.Ordinal)));
    }
}
