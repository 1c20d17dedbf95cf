using System.Globalization;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// N concurrent sandboxes, each in an exec storm for a bounded time, on one real daemon: zero failed calls, the
/// daemon's memory bounded. CI: 5 container sandboxes x 10 s. scripts/validate.sh sets AIRLOCK_LOAD_STEPS (e.g.
/// 50,100,200), AIRLOCK_LOAD_SECONDS and AIRLOCK_LOAD_ISOLATION (container unless set) and reads the table; stepping
/// stops at the first N with a failure.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LoadTests
{
    /// <summary>The daemon holds no per-exec state once an exec ends; past this it is leaking (streams, guest connections).</summary>
    private const long RssBound = 1L << 30;

    [Fact]
    public async Task ConcurrentSandboxes_InAnExecStorm_FailNoCall_AndKeepTheDaemonsMemoryBounded()
    {
        var steps = (Environment.GetEnvironmentVariable("AIRLOCK_LOAD_STEPS") ?? "5").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_LOAD_SECONDS"), out var t) ? t : 10;
        var isolation = Environment.GetEnvironmentVariable("AIRLOCK_LOAD_ISOLATION") is { Length: > 0 } tier ? tier : "container";
        var rows = new List<LoadResult>();
        await using (var session = await DaemonSession.StartAsync())
        {
            foreach (var n in steps)
            {
                var row = await LoadRun.RunAsync(session, isolation, n, TimeSpan.FromSeconds(seconds));
                rows.Add(row);
                Console.WriteLine("load: " + row);
                foreach (var sample in row.FailureSamples) Console.WriteLine("load:   " + sample);
                if (row.Failures + row.CreateFailures > 0) break;
            }

            Assert.False(session.Daemon.HasExited);
        }

        var table = LoadResult.Header + "\n" + string.Join('\n', rows);
        Console.WriteLine("load table (" + seconds + " s per step):\n" + table);
        var reached = rows.Where(r => r.Failures + r.CreateFailures == 0).Select(r => r.Sandboxes).DefaultIfEmpty(0).Max();
        Console.WriteLine($"load: highest N with zero failures: {reached}");
        Assert.True(rows[0].Failures + rows[0].CreateFailures == 0, $"unexpected failures at N={rows[0].Sandboxes}:\n{string.Join('\n', rows[0].FailureSamples)}\n{table}");
        Assert.All(rows, r => Assert.True(r.PeakRssBytes < RssBound, $"daemon RSS reached {r.PeakRssBytes >> 20} MiB at N={r.Sandboxes}"));
        Assert.All(rows, r => Assert.True(r.Execs > 0, $"no exec completed at N={r.Sandboxes}"));
    }
}
