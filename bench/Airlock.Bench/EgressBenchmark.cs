using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Airlock.Egress;
using Airlock.Policy;

namespace Airlock.Bench;

/// <summary>
/// The egress gateway beside a direct loopback connection, same origin, same run: p50 latency of a small HTTP request
/// (connect, request, whole response) and the throughput of a large download. Rounds alternate so drifting load hits both.
/// The download's ratio is the median of each round's gateway/direct pair, measured a fraction of a second apart: this
/// VM's host flips between a fast and a half-speed state every few seconds (both paths' CPU time per GB doubles), and
/// the ratio of the two paths' own medians then depends on which path happened to catch more slow rounds (one run: 0.55x
/// that way, its rounds' pairs mostly 0.85-0.95x).
/// </summary>
internal static class EgressBenchmark
{
    private const int Requests = 400;

    /// <summary>At 1-3 GB/s a 64 MB download lasts ~30 ms, short enough for one scheduler hiccup on two cores to swing a round.</summary>
    private const int DownloadBytes = 256 * 1024 * 1024;
    private const int Rounds = 11;
    private static readonly IPAddress Source = IPAddress.Parse("127.0.0.20");

    public static async Task<IReadOnlyList<ResultRow>> RunAsync()
    {
        await using var origin = BenchOrigin.Start(IPAddress.Parse("127.0.0.2"));
        await using var gateway = new EgressGateway(new EgressGatewayOptions
        {
            ListenAddress = IPAddress.Parse("127.0.0.10"),
            StaticHosts = new Dictionary<string, IReadOnlyList<IPAddress>> { ["bench.test"] = [origin.EndPoint.Address] },
        });
        await gateway.StartAsync();
        using var attached = gateway.Attach(new EgressTenant
        {
            SandboxId = "bench",
            SourceAddress = Source,
            Network = new NetworkPolicy { Allow = [new EgressTarget { Pattern = "bench.test", Kind = EgressTargetKind.Domain, Host = "bench.test" }] },
        });
        var direct = new Target(origin.EndPoint, $"/bytes/");
        var proxied = new Target(gateway.ProxyEndPoint, $"http://bench.test:{origin.EndPoint.Port}/bytes/");

        var directLatency = new List<double>();
        var gatewayLatency = new List<double>();
        var directRate = new List<double>();
        var gatewayRate = new List<double>();
        var directCpu = new List<double>();
        var gatewayCpu = new List<double>();
        await FetchAsync(direct, 100);
        await FetchAsync(proxied, 100);
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < Requests / Rounds; i++)
            {
                directLatency.Add(await FetchAsync(direct, 100));
                gatewayLatency.Add(await FetchAsync(proxied, 100));
            }

            directRate.Add(await DownloadAsync(direct, directCpu));
            gatewayRate.Add(await DownloadAsync(proxied, gatewayCpu));
        }

        var p50Direct = Stats.Median(directLatency);
        var p50Gateway = Stats.Median(gatewayLatency);
        var added = p50Gateway - p50Direct;
        var rateDirect = Stats.Median(directRate);
        var rateGateway = Stats.Median(gatewayRate);
        var pairedRatio = Stats.Median([.. gatewayRate.Zip(directRate, (g, d) => g / d)]);
        return
        [
            new(string.Create(CultureInfo.InvariantCulture, $"egress request via gateway (+{added:F2} ms)"), p50Gateway, "direct loopback request", p50Direct,
                "<= +0.5 ms p50", added <= 0.5),
            new($"egress download {DownloadBytes >> 20} MB via gateway", rateGateway, "direct loopback download", rateDirect,
                ">= 0.8x direct (paired)", pairedRatio >= 0.8, "MB/s") { PairedRatio = pairedRatio },
            new("egress download CPU via gateway", Stats.Median(gatewayCpu), "direct loopback download CPU", Stats.Median(directCpu),
                "(reported)", true, "ms/GB"),
        ];
    }

    /// <summary>
    /// One large download: its rate in MB/s, and into <paramref name="cpu"/> this process's CPU time per GB moved. Client,
    /// origin and (when proxied) gateway all run in this process, so the CPU row shows what the gateway's hop costs in
    /// CPU on top of the direct path's, the bound on the rate ratio when both cores are busy.
    /// </summary>
    private static async Task<double> DownloadAsync(Target target, List<double> cpu)
    {
        var before = Environment.CpuUsage.TotalTime;
        var ms = await FetchAsync(target, DownloadBytes);
        cpu.Add((Environment.CpuUsage.TotalTime - before).TotalMilliseconds / (DownloadBytes / 1e9));
        return DownloadBytes / 1e6 / (ms / 1000);
    }

    /// <summary>One HTTP/1.1 request from the sandbox's address; milliseconds until the whole response has arrived.</summary>
    private static async Task<double> FetchAsync(Target target, int bytes)
    {
        var watch = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(Source, 0));
        await socket.ConnectAsync(target.EndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target.PathPrefix}{bytes} HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[256 * 1024];
        long received = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0) received += n;
        if (received < bytes) throw new InvalidOperationException($"only {received} of {bytes} bytes arrived from {target.EndPoint}");
        return watch.Elapsed.TotalMilliseconds;
    }

    private sealed record Target(IPEndPoint EndPoint, string PathPrefix);
}
