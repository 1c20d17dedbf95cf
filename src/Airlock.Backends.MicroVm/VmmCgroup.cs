using System.Globalization;
using Airlock.Core.Backends;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// The cgroup that holds a sandbox's QEMU and bridge: memory (guest RAM + QEMU's overhead: the guest's OOM
/// killer acts first, this stops a runaway VMM), pids (QEMU's threads; -sandbox spawn=deny stops forks) and
/// CPU quota. On cgroup v1 one directory per controller hierarchy, on v2 one; hybrid hosts get both, the
/// unified one for membership only.
/// </summary>
internal static class VmmCgroup
{
    private const long CpuPeriodMicros = 100_000;

    /// <summary>Creates the directories, sets the limits; returns the cgroup.procs files a new process must join.</summary>
    public static IReadOnlyList<string> Create(MicroVmLayout layout, long memoryBytes, int pids, double cpus)
    {
        var procs = new List<string>();
        foreach (var (mountPoint, isV2, options) in Hierarchies())
        {
            var v1Controllers = options.Split(',');
            var wanted = isV2 || v1Controllers.Contains("memory") || v1Controllers.Contains("pids") || v1Controllers.Contains("cpu");
            if (!wanted) continue;
            var directory = Path.Combine(mountPoint, layout.CgroupPath);
            Directory.CreateDirectory(directory);
            var quota = ((long)Math.Ceiling(cpus * CpuPeriodMicros)).ToString(CultureInfo.InvariantCulture);
            if (isV2)
            {
                TryWrite(directory, "memory.max", memoryBytes.ToString(CultureInfo.InvariantCulture));
                TryWrite(directory, "memory.swap.max", "0");
                TryWrite(directory, "pids.max", pids.ToString(CultureInfo.InvariantCulture));
                TryWrite(directory, "cpu.max", $"{quota} {CpuPeriodMicros}");
            }
            else
            {
                if (v1Controllers.Contains("memory"))
                {
                    Write(directory, "memory.limit_in_bytes", memoryBytes.ToString(CultureInfo.InvariantCulture));
                    TryWrite(directory, "memory.memsw.limit_in_bytes", memoryBytes.ToString(CultureInfo.InvariantCulture));
                }

                if (v1Controllers.Contains("pids")) Write(directory, "pids.max", pids.ToString(CultureInfo.InvariantCulture));
                if (v1Controllers.Contains("cpu"))
                {
                    TryWrite(directory, "cpu.cfs_period_us", CpuPeriodMicros.ToString(CultureInfo.InvariantCulture));
                    TryWrite(directory, "cpu.cfs_quota_us", quota);
                }
            }

            procs.Add(Path.Combine(directory, "cgroup.procs"));
        }

        return procs;
    }

    public static IEnumerable<string> Directories(MicroVmLayout layout) =>
        Hierarchies().Select(h => Path.Combine(h.MountPoint, layout.CgroupPath)).Distinct();

    /// <summary>Member pids of any of the sandbox's cgroups (QEMU, the bridge, a half-started wrapper).</summary>
    public static IReadOnlyList<int> Members(MicroVmLayout layout)
    {
        var pids = new SortedSet<int>();
        foreach (var directory in Directories(layout))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(directory, "cgroup.procs")))
                {
                    if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return [.. pids];
    }

    /// <summary>Removes the (already emptied) directories, and the shared parent with the last sandbox.</summary>
    public static async Task RemoveAsync(MicroVmLayout layout, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            errors.Clear();
            foreach (var directory in Directories(layout).Where(Directory.Exists))
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException e)
                {
                    errors.Add($"{directory}: {e.Message}");
                }
            }

            if (errors.Count == 0) break;
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        if (errors.Count > 0) throw new IOException($"cannot remove cgroup(s): {string.Join("; ", errors)}");
        foreach (var parent in Hierarchies().Select(h => Path.Combine(h.MountPoint, MicroVmLayout.CgroupParent)).Distinct())
        {
            try
            {
                if (Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any()) Directory.Delete(parent);
            }
            catch (IOException)
            {
                // A sibling sandbox was created meanwhile: the parent stays.
            }
        }
    }

    /// <summary>The guest's OOM kills are not visible here; this counts QEMU itself hitting the VMM limit.</summary>
    public static LimitCounters ReadCounters(MicroVmLayout layout)
    {
        long oom = 0;
        foreach (var directory in Directories(layout))
        {
            oom = Math.Max(oom, ReadKey(Path.Combine(directory, "memory.oom_control"), "oom_kill"));
            oom = Math.Max(oom, ReadKey(Path.Combine(directory, "memory.events"), "oom_kill"));
        }

        return new LimitCounters(oom, 0);
    }

    private static IReadOnlyList<(string MountPoint, bool IsV2, string Options)> Hierarchies()
    {
        var result = new List<(string, bool, string)>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0) continue;
            var after = line[(separator + 3)..].Split(' ');
            var before = line[..separator].Split(' ');
            if (after.Length >= 3 && after[0] is "cgroup" or "cgroup2" && before.Length >= 5)
            {
                result.Add((before[4], after[0] == "cgroup2", after[2]));
            }
        }

        return result;
    }

    private static void Write(string directory, string file, string value) => File.WriteAllText(Path.Combine(directory, file), value);

    private static void TryWrite(string directory, string file, string value)
    {
        try
        {
            if (File.Exists(Path.Combine(directory, file))) Write(directory, file, value);
        }
        catch (IOException)
        {
        }
    }

    private static long ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var value)) return value;
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
