using System.Diagnostics;
using Airlock.Client;

namespace Airlock.RedTeam.Running;

/// <summary>
/// Measures the daemon's API while the battery runs: GET /v1/health and GET /v1/sandboxes alternately every
/// 200 ms, each bounded to 10 s (a timeout counts as 10 s). Idle is measured before the first attack.
/// </summary>
internal sealed class LatencyProber(AirlockClient client)
{
    public async Task<LatencyStats> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        // Warm up first (JIT, connection pool): idle means a daemon that is running, not one that just started.
        for (var i = 0; i < 10; i++) await OnceAsync(i, cancellationToken);
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            samples.Add(await OnceAsync(samples.Count, cancellationToken));
            await Task.Delay(100, CancellationToken.None);
        }

        return LatencyStats.Of(samples);
    }

    /// <summary>Probes until <paramref name="cancellationToken"/> is cancelled; the statistics of what it saw.</summary>
    public async Task<LatencyStats> RunUntilAsync(CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        while (!cancellationToken.IsCancellationRequested)
        {
            samples.Add(await OnceAsync(samples.Count, CancellationToken.None));
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return LatencyStats.Of(samples);
    }

    private async Task<double> OnceAsync(int n, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        try
        {
            if (n % 2 == 0) await client.GetHealthAsync(timeout.Token);
            else await client.ListSandboxesAsync(cancellationToken: timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or AirlockException)
        {
            return 10_000;
        }

        return clock.Elapsed.TotalMilliseconds;
    }
}
