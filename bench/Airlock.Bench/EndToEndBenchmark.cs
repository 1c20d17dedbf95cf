using System.Collections.Concurrent;
using System.Diagnostics;
using Airlock.Backends.Gvisor;
using Airlock.Backends.MicroVm;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Core.Engine;
using Airlock.Core.Images;

namespace Airlock.Bench;

/// <summary>
/// Cold create -> first exec output on every tier this host runs, each beside its own baseline measured in the
/// same run (raw `runc run`, raw `runsc run`, a bare QEMU boot of the same kernel), and the container tier's exec
/// round trip beside a host fork+exec. Samples of a tier and its baseline alternate, so load drifts hit both.
/// </summary>
internal static class EndToEndBenchmark
{
    /// <summary>Every tier this host runs, or only <paramref name="only"/> when given.</summary>
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(string dataDir, int iterations, IReadOnlySet<string>? only)
    {
        bool Wanted(string tier) => only is null || only.Contains(tier);
        var paths = new AirlockPaths(dataDir);
        // The microVM tier's template snapshots: the bench's own, in memory like the default, removed at the end.
        var templates = Path.Combine("/dev/shm", "airlock-bench-templates-" + Path.GetFileName(dataDir));
        var steps = new ConcurrentDictionary<string, ConcurrentDictionary<string, List<double>>>();
        Action<string, TimeSpan> StepsOf(string tier) => (step, took) => steps.GetOrAdd(tier, _ => new()).GetOrAdd(step, _ => []).Add(took.TotalMilliseconds);
        // BENCH_RUNSC_DEBUG=DIR/: every gVisor sandbox's runsc logs (with each system call of the sandbox's processes,
        // timed) to DIR; the timings then measure the tracing too.
        string[] runscDebug = Environment.GetEnvironmentVariable("BENCH_RUNSC_DEBUG") is { Length: > 0 } debugDir
            ? ["--debug", "--strace", "--debug-log=" + debugDir]
            : [];
        ISandboxBackend[] backends =
        [
            new RuncBackend(paths, new RuncBackendOptions { OnCreateStep = StepsOf("container") }),
            new GvisorBackend(paths, new GvisorBackendOptions { OnCreateStep = StepsOf("gvisor"), ExtraRunscFlags = runscDebug }),
            new MicroVmBackend(paths, new MicroVmBackendOptions { OnCreateStep = StepsOf("microvm"), TemplateDirectory = templates }),
        ];
        await using var engine = new SandboxEngine(new EngineOptions { Paths = paths }, backends, new MmdebstrapImageStore(paths));
        await engine.StartAsync();
        var imageRootfs = await engine.Images.GetRootfsAsync("python", new Progress<string>(Console.Error.WriteLine));

        var rows = new List<ResultRow>();
        try
        {
            if (Wanted("container"))
            {
                rows.Add(await ColdStartAsync(engine, "container", iterations, StepsOf("container"), async warm =>
                {
                    var raw = new RawOciRun("runc", [], BaselineBundle.Write(ConfigOf(paths, warm), imageRootfs, Path.Combine(dataDir, "raw-runc"), "/airlock-bench/raw"));
                    return ("raw `runc run` of the same spec", raw.TimeToFirstOutputAsync, 1.5);
                }));
                rows.AddRange(await ExecRoundTripAsync(engine, "container", iterations));
            }

            if (Wanted("gvisor") && Skip(backends[1]) is { } gvisorSkip)
            {
                Console.WriteLine($"gvisor: not measured ({gvisorSkip})");
            }
            else if (Wanted("gvisor"))
            {
                rows.Add(await ColdStartAsync(engine, "gvisor", iterations, StepsOf("gvisor"), async warm =>
                {
                    var raw = new RawOciRun("runsc", ["--root", Path.Combine(dataDir, "raw-runsc-state"), "--platform=ptrace", "--network=none"],
                        BaselineBundle.Write(ConfigOf(paths, warm), imageRootfs, Path.Combine(dataDir, "raw-runsc"), "/airlock-bench/raw-gvisor"));
                    return ("raw `runsc run` of the same spec", raw.TimeToFirstOutputAsync, 1.3);
                }));
                rows.AddRange(await ExecRoundTripAsync(engine, "gvisor", iterations));
            }

            if (Wanted("microvm") && Skip(backends[2]) is { } microvmSkip)
            {
                Console.WriteLine($"microvm: not measured ({microvmSkip})");
            }
            else if (Wanted("microvm"))
            {
                // Under TCG a boot takes seconds: fewer samples, same alternation. A sandbox restores its kind's template
                // snapshot (the warm-up create saved it); the second row has none on the host before each sample: it boots
                // the kernel and saves the template, which is what the first sandbox of a kind (image, sizes) costs.
                var bare = new BareQemuBoot(new MicroVmBackendOptions().QemuPath, (engine.Options.DefaultMemoryBytes + new MicroVmBackendOptions().GuestKernelBytes) >> 20);
                Task<(string, Func<int, Task<double>>, double)> BareBoot(string _) => Task.FromResult<(string, Func<int, Task<double>>, double)>(("bare QEMU boot of the same kernel to user space", _ => bare.TimeToUserSpaceAsync(), 1.3));
                rows.Add(await ColdStartAsync(engine, "microvm", Math.Max(3, iterations / 3), StepsOf("microvm"), BareBoot));
                rows.Add(await ColdStartAsync(engine, "microvm", Math.Max(3, iterations / 3), (_, _) => { }, BareBoot,
                    name: "first create of a kind -> first exec (microvm; boots, saves template)", beforeEach: () => Directory.Delete(templates, recursive: true)));
                rows.AddRange(await ExecRoundTripAsync(engine, "microvm", Math.Max(3, iterations / 3)));
            }
        }
        finally
        {
            // Also when a create failed: a template holds ~100 MB of /dev/shm.
            if (Directory.Exists(templates)) Directory.Delete(templates, recursive: true);
        }

        foreach (var (tier, tierSteps) in steps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"where the {tier} tier's create time goes (p50 ms): " + string.Join(", ", tierSteps.Select(s => $"{s.Key} {Stats.Median(s.Value):F1}")));
        }

        return rows;
    }

    /// <summary>Why a tier cannot be measured here, or null.</summary>
    private static string? Skip(ISandboxBackend backend) => backend.Probe() is { Available: false } probe ? probe.Reason : null;

    private static string ConfigOf(AirlockPaths paths, string sandboxId) => Path.Combine(paths.SandboxDirectory(sandboxId), "bundle", "config.json");

    private static async Task<ResultRow> ColdStartAsync(
        SandboxEngine engine,
        string tier,
        int iterations,
        Action<string, TimeSpan> step,
        Func<string, Task<(string Name, Func<int, Task<double>> Measure, double Target)>> baselineFor,
        string? name = null,
        Action? beforeEach = null)
    {
        // Warm up both paths once (page cache, JIT, the microVM base disk) so that no sample measures the disk.
        var warm = await engine.CreateAsync(new SandboxSpec { Isolation = tier });
        var (baselineName, baseline, target) = await baselineFor(warm.Id);
        await FirstOutputAsync(engine, warm.Id);
        await engine.DeleteAsync(warm.Id);
        await baseline(-1);

        var airlock = new List<double>();
        var raw = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            raw.Add(await baseline(i));
            beforeEach?.Invoke();
            var watch = Stopwatch.StartNew();
            var sandbox = await engine.CreateAsync(new SandboxSpec { Isolation = tier });
            var created = watch.Elapsed;
            step("engine-create-total", created);
            await FirstOutputAsync(engine, sandbox.Id);
            step("first-exec-output", watch.Elapsed - created);
            airlock.Add(watch.Elapsed.TotalMilliseconds);
            await engine.DeleteAsync(sandbox.Id);
        }

        // Each sample beside the baseline taken just before it: the median of those pairs' ratios (see EgressBenchmark for
        // why this host needs pairs).
        var ratio = Stats.Median([.. airlock.Zip(raw, (a, r) => a / r)]);
        return name is null
            ? new($"cold create -> first exec output ({tier})", Stats.Median(airlock), baselineName, Stats.Median(raw), $"<= {target:0.0#}x (paired)", ratio <= target) { PairedRatio = ratio }
            : new(name, Stats.Median(airlock), baselineName, Stats.Median(raw), "(reported, paired)", true) { PairedRatio = ratio };
    }

    /// <summary>
    /// Exec of `true` in one live sandbox, each beside a host fork+exec. The container tier's p50 has the target; the
    /// others are reported (gVisor traps every system call, TCG emulates every instruction).
    /// </summary>
    private static async Task<IReadOnlyList<ResultRow>> ExecRoundTripAsync(SandboxEngine engine, string tier, int iterations)
    {
        var live = await engine.CreateAsync(new SandboxSpec { Isolation = tier });
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

        var p50 = Stats.Median(execSamples);
        return
        [
            tier == "container"
                ? new($"exec round trip `true` ({tier})", p50, "host fork+exec of /bin/true", Stats.Median(forkSamples), "p50 <= 5 ms", p50 <= 5)
                : new($"exec round trip `true` ({tier})", p50, "host fork+exec of /bin/true", Stats.Median(forkSamples), "(reported)", true),
            new($"exec round trip p99 ({tier})", Stats.Percentile(execSamples, 0.99), "host fork+exec p99", Stats.Percentile(forkSamples, 0.99), "(reported)", true),
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
