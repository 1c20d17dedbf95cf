namespace Airlock.RedTeam.Host;

/// <summary>
/// A sandbox's cgroups as the host sees them: <c>airlock/ID</c> (container and gVisor tiers) or
/// <c>airlock-vmm/ID</c> (QEMU of the microVM tier), under every v1 controller and the v2 tree. The counters
/// here are the kernel's, so they are evidence no code inside the sandbox can forge.
/// </summary>
internal sealed class SandboxCgroups(string sandboxId)
{
    public IReadOnlyList<string> Directories()
    {
        var found = new List<string>();
        if (!Directory.Exists("/sys/fs/cgroup")) return found;
        foreach (var root in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            foreach (var parent in new[] { "airlock", "airlock-vmm" })
            {
                var directory = Path.Combine(root, parent, sandboxId);
                if (Directory.Exists(directory)) found.Add(directory);
            }
        }

        return found;
    }

    /// <summary>Every host process (tgid) in any of the sandbox's cgroups, sub-cgroups included.</summary>
    public IReadOnlyList<int> Processes()
    {
        var pids = new HashSet<int>();
        foreach (var directory in Directories())
        {
            try
            {
                foreach (var procs in Directory.EnumerateFiles(directory, "cgroup.procs", SearchOption.AllDirectories))
                {
                    foreach (var line in HostFiles.ReadText(procs)?.Split('\n') ?? [])
                    {
                        if (int.TryParse(line, out var pid)) pids.Add(pid);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A sub-cgroup removed while listing: the next sample sees the rest.
            }
        }

        return [.. pids.Order()];
    }

    /// <summary>The largest value of a knob across the sandbox's directories that have it (v1 and v2 names differ).</summary>
    public long? Read(params string[] files)
    {
        long? best = null;
        foreach (var directory in Directories())
        {
            foreach (var file in files)
            {
                if (HostFiles.Number(Path.Combine(directory, file)) is { } value) best = best is { } b ? Math.Max(b, value) : value;
            }
        }

        return best;
    }

    public long? MemoryLimit() => Read("memory.limit_in_bytes", "memory.max");

    public long? MemoryPeak() => Read("memory.max_usage_in_bytes", "memory.peak");

    public long? MemoryNow() => Read("memory.usage_in_bytes", "memory.current");

    public long? PidsLimit() => Read("pids.max");

    public long? PidsNow() => Read("pids.current");

    /// <summary>CPU time the sandbox's cgroup has used, in nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec).</summary>
    public long? CpuNanos()
    {
        var v1 = Read("cpuacct.usage");
        if (v1 is not null) return v1;
        foreach (var directory in Directories())
        {
            if (HostFiles.Key(Path.Combine(directory, "cpu.stat"), "usage_usec") is { } usec) return usec * 1000;
        }

        return null;
    }

    /// <summary>The CPU quota in CPUs (v1 cfs quota/period, v2 cpu.max), or null for none.</summary>
    public double? CpuQuota()
    {
        foreach (var directory in Directories())
        {
            var quota = HostFiles.Number(Path.Combine(directory, "cpu.cfs_quota_us"));
            var period = HostFiles.Number(Path.Combine(directory, "cpu.cfs_period_us"));
            if (quota is > 0 && period is > 0) return (double)quota.Value / period.Value;
            if (HostFiles.ReadText(Path.Combine(directory, "cpu.max"))?.Trim().Split(' ') is [var q, var p] && long.TryParse(q, out var qv) && long.TryParse(p, out var pv)) return (double)qv / pv;
        }

        return null;
    }
}
