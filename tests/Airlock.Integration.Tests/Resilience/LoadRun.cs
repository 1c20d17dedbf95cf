using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// N real sandboxes on one daemon, each with its own client loop of execs for a bounded time. Every exec should
/// succeed (200, an exit line with code 0, the expected output); anything else is a failure. The daemon's RSS is
/// sampled from /proc throughout.
/// </summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(DaemonSession session, string isolation, int sandboxes, TimeSpan duration)
    {
        using var sampler = new CancellationTokenSource();
        long peak = 0;
        var sampling = Task.Run(async () =>
        {
            while (!sampler.IsCancellationRequested)
            {
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), Rss(session.Daemon.Pid)));
                try
                {
                    await Task.Delay(200, sampler.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var createFailures = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var elapsed = TimeSpan.Zero;
        var create = JsonSerializer.Serialize(new { isolation, memory = "64m", disk = "64m", pids = 64, timeout = "1h", labels = new { suite = "load" } });
        try
        {
            using (var creators = new SemaphoreSlim(4))
            {
                await Task.WhenAll(Enumerable.Range(0, sandboxes).Select(async _ =>
                {
                    await creators.WaitAsync();
                    try
                    {
                        using var response = await session.Http.PostAsync("/v1/sandboxes", DaemonSession.Json(create));
                        var text = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode == HttpStatusCode.Created) ids.Add(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
                        else
                        {
                            Interlocked.Increment(ref createFailures);
                            failures.Enqueue($"create: {(int)response.StatusCode} {text}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref createFailures);
                        failures.Enqueue($"create: {e.GetType().Name} {e.Message}");
                    }
                    finally
                    {
                        creators.Release();
                    }
                }));
            }

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(ids.Select(id => StormAsync(session.Http, id, duration, latencies, failures)));
            elapsed = clock.Elapsed;
        }
        finally
        {
            await sampler.CancelAsync();
            await sampling;
            // Also after a failure: the next step (or the next test) must not run beside this step's sandboxes.
            foreach (var id in ids)
            {
                using var delete = await session.Http.DeleteAsync($"/v1/sandboxes/{id}");
                if (delete.StatusCode != HttpStatusCode.NoContent) failures.Enqueue($"delete {id}: {(int)delete.StatusCode}");
            }
        }

        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return new LoadResult(isolation, sandboxes, sorted.Length, elapsed, Percentile(0.50), Percentile(0.99), failures.Count - createFailures, createFailures, peak, failures.Take(10).ToList());
    }

    private static async Task StormAsync(HttpClient http, string id, TimeSpan duration, System.Collections.Concurrent.ConcurrentBag<double> latencies, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < duration)
        {
            var expected = $"{id}-{n++}";
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.PostAsync($"/v1/sandboxes/{id}/exec", DaemonSession.Json(JsonSerializer.Serialize(new { command = new[] { "echo", expected } })));
                var text = await response.Content.ReadAsStringAsync();
                var stdout = string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(l => JsonDocument.Parse(l).RootElement)
                    .Where(e => e.GetProperty("type").GetString() == "stdout")
                    .Select(e => System.Text.Encoding.UTF8.GetString(e.GetProperty("data").GetBytesFromBase64())));
                if (response.StatusCode != HttpStatusCode.OK || !text.Contains("\"exitCode\":0", StringComparison.Ordinal) || stdout != expected + "\n")
                {
                    failures.Enqueue($"exec {id}: {(int)response.StatusCode} {(text.Length > 300 ? text[..300] : text)}");
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                failures.Enqueue($"exec {id}: {e.GetType().Name} {e.Message}");
            }
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in bytes (0 once it is gone).</summary>
    public static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
