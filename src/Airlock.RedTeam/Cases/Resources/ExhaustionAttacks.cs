using Airlock.RedTeam.Host;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>
/// Exhaustion of processes, threads, memory, shared memory and descriptors. The judges read the sandbox's own
/// host cgroup (its limit is set and bounded, its peak stays under it) and host-wide counters (tasks, open
/// files, available memory) that would move if the limit did not hold.
/// </summary>
internal static class ExhaustionAttacks
{
    /// <summary>Host-wide growth no limited sandbox may cause; generous, since other work shares the machine.</summary>
    private const long HostTaskSlack = 4000;

    public static IEnumerable<Model.IAttackCase> All()
    {
        yield return new ResourceAttack
        {
            Name = "fork-bomb",
            Attempts = "a shell fork bomb for 15 s under --pids 64; host: the pids cgroup's count stays under its limit, host task count does not balloon",
            Script = "bomb() { bomb | bomb & }; bomb; sleep 15",
            Timeout = TimeSpan.FromSeconds(15),
            Judge = Tasks,
        };
        yield return new ResourceAttack
        {
            Name = "thread-bomb",
            Attempts = "python starts threads until refused, for 15 s under --pids 64; host: pids cgroup and host task count",
            Python = true,
            Script = "import threading, time\nn = 0\ntry:\n    while n < 100000:\n        threading.Thread(target=time.sleep, args=(30,), daemon=True).start(); n += 1\nexcept Exception as e:\n    print('threads', n, e, flush=True)\ntime.sleep(5)",
            Timeout = TimeSpan.FromSeconds(15),
            Judge = Tasks,
        };
        yield return new ResourceAttack
        {
            Name = "memory-bomb",
            Attempts = "allocate and touch 4 GiB under --memory 256m; host: the memory cgroup's limit is set near 256m and its usage never passes it",
            Python = true,
            Script = "chunks = []\nwhile len(chunks) < 4096:\n    chunks.append(bytearray(1 << 20))",
            Judge = Memory,
        };
        yield return new ResourceAttack
        {
            Name = "shm-fill",
            Attempts = "write 2 GiB into /dev/shm (tmpfs) under --memory 256m; host: charged to the sandbox's memory cgroup, under its limit",
            Script = "dd if=/dev/zero of=/dev/shm/fill bs=1M count=2048 2>&1 | tail -1; df -h /dev/shm",
            Judge = Memory,
        };
        yield return new ResourceAttack
        {
            Name = "fd-exhaustion",
            Attempts = "raise RLIMIT_NOFILE as far as it goes and open descriptors until refused; host: per-process descriptor count and host open-file count stay bounded",
            Python = true,
            Script = "import os, resource\nsoft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\ntry:\n    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 30, 1 << 30))\nexcept (ValueError, OSError) as e:\n    print('setrlimit', e)\ntry:\n    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))\nexcept (ValueError, OSError) as e:\n    pass\nfds = []\ntry:\n    while len(fds) < 2000000:\n        fds.append(os.open('/dev/null', os.O_RDONLY))\nexcept OSError as e:\n    print('opened', len(fds), e, flush=True)\nimport time; time.sleep(2)",
            Judge = Descriptors,
        };
    }

    private static (IReadOnlyList<string>, string) Tasks(ResourceEvidence e)
    {
        var findings = new List<string>();
        var limit = e.Watch.Limit(s => s.PidsLimit);
        var peak = e.Watch.Peak(s => s.CgroupPids);
        var hostGrowth = e.Watch.Peak(s => s.HostTasks) - e.Watch.Before.HostTasks;
        if (limit is null or > 100_000) findings.Add($"the sandbox's pids cgroup has no effective limit ({limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");
        if (peak > limit) findings.Add($"the pids cgroup held {peak} tasks, over its limit {limit}");
        if (hostGrowth > HostTaskSlack + (limit ?? 0)) findings.Add($"host task count grew by {hostGrowth}");
        return (findings, $"pids cgroup peak {peak}/{limit}, host tasks +{hostGrowth}");
    }

    private static (IReadOnlyList<string>, string) Memory(ResourceEvidence e)
    {
        var findings = new List<string>();
        var asked = e.Sandbox.Limits.MemoryBytes ?? 256L << 20;
        var limit = e.Watch.Limit(s => s.MemoryLimit);
        var peak = e.Watch.Cgroups.MemoryPeak() ?? e.Watch.Peak(s => s.CgroupMemory);
        var hostDrop = e.Watch.Before.HostMemAvailable - e.Watch.Lowest(s => s.HostMemAvailable);
        // The tier may add its own overhead (runsc's sentry, QEMU) above the user's limit, never gigabytes.
        if (limit is null || limit > asked + (768L << 20)) findings.Add($"the sandbox's memory cgroup limit is {HostVitals.Mib(limit)} for --memory {HostVitals.Mib(asked)}");
        if (peak > limit) findings.Add($"memory cgroup peak {HostVitals.Mib(peak)} passed its limit {HostVitals.Mib(limit)}");
        return (findings, $"memory cgroup limit {HostVitals.Mib(limit)} (asked {HostVitals.Mib(asked)}), peak {HostVitals.Mib(peak)}, host MemAvailable fell at most {HostVitals.Mib(hostDrop)}");
    }

    private static (IReadOnlyList<string>, string) Descriptors(ResourceEvidence e)
    {
        var findings = new List<string>();
        var peakFds = e.Watch.Samples.Select(s => s.MaxProcessFds).DefaultIfEmpty().Max();
        var growth = e.Watch.Peak(s => s.HostOpenFiles) - e.Watch.Before.HostOpenFiles;
        if (peakFds > 1_100_000) findings.Add($"a sandbox process held {peakFds} descriptors");
        if (growth > 1_200_000) findings.Add($"host open files grew by {growth}");
        return (findings, $"most descriptors of one sandbox host process {peakFds}, host open files +{growth}");
    }
}
