using System.Diagnostics;
using Airlock.Backends.Runc;
using Airlock.Core.Engine;
using Airlock.Core.Images;
using Airlock.Core;

namespace Airlock.Bench;

internal static class EndToEndBenchmark
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(string dataDir, int iterations)
    {
        var paths = new AirlockPaths(dataDir);
        var steps = new System.Collections.Concurrent.ConcurrentDictionary<string, List<double>>();
        var backend = new RuncBackend(paths, new RuncBackendOptions { OnCreateStep = (step, took) => steps.GetOrAdd(step, _ => []).Add(took.TotalMilliseconds) });
        await using var engine = new SandboxEngine(new EngineOptions { Paths = paths }, [backend], new MmdebstrapImageStore(paths));
        await engine.StartAsync();
        var imageRootfs = await engine.Images.GetRootfsAsync("python", new Progress<string>(Console.Error.WriteLine));

        // Warm up both paths once (page cache, JIT) so that the first sample does not measure the disk.
        var warm = await engine.CreateAsync(new SandboxSpec());
        var raw = RawRunc.FromSandboxBundle(Path.Combine(paths.SandboxDirectory(warm.Id), "bundle", "config.json"), imageRootfs, Path.Combine(dataDir, "raw-bundle"));
        await FirstOutputAsync(engine, warm.Id);
        await engine.DeleteAsync(warm.Id);
        await raw.TimeToFirstOutputAsync(-1);

        var airlockCold = new List<double>();
        var rawCold = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            rawCold.Add(await raw.TimeToFirstOutputAsync(i));
            var watch = Stopwatch.StartNew();
            var sandbox = await engine.CreateAsync(new SandboxSpec());
            steps.GetOrAdd("engine-create-total", _ => []).Add(watch.Elapsed.TotalMilliseconds);
            await FirstOutputAsync(engine, sandbox.Id);
            airlockCold.Add(watch.Elapsed.TotalMilliseconds);
            await engine.DeleteAsync(sandbox.Id);
        }

        var live = await engine.CreateAsync(new SandboxSpec());
        var execSamples = new List<double>();
        var forkSamples = new List<double>();
        try
        {
            for (var i = 0; i < iterations * 20; i++)
            {
                var watch = Stopwatch.StartNew();
                await foreach (var _ in engine.ExecStreamAsync(live.Id, new ExecRequest { Command = ["true"] }))
                {
                }

                execSamples.Add(watch.Elapsed.TotalMilliseconds);

                watch.Restart();
                using (var p = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!)
                {
                    await p.WaitForExitAsync();
                }

                forkSamples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            await engine.DeleteAsync(live.Id);
        }

        Console.WriteLine("where the container tier's create time goes (p50 ms): " + string.Join(", ", steps.Select(s => $"{s.Key} {Stats.Median(s.Value):F1}")));
        var coldRatio = Stats.Median(airlockCold) / Stats.Median(rawCold);
        return
        [
            new("cold create -> first exec output (container)", Stats.Median(airlockCold), "raw `runc run` of the same spec", Stats.Median(rawCold), "<= 1.5x", coldRatio <= 1.5),
            new("exec round trip `true` (container)", Stats.Median(execSamples), "host fork+exec of /bin/true", Stats.Median(forkSamples), "p50 <= 5 ms", Stats.Median(execSamples) <= 5),
            new("exec round trip p99 (container)", Stats.Percentile(execSamples, 0.99), "host fork+exec p99", Stats.Percentile(forkSamples, 0.99), "(reported)", true),
        ];
    }

    private static async Task FirstOutputAsync(ISandboxOperations engine, string id)
    {
        await foreach (var e in engine.ExecStreamAsync(id, new ExecRequest { Command = ["echo", "hi"] }))
        {
            if (e is ExecOutput) return;
        }

        throw new InvalidOperationException("echo printed nothing");
    }
}
