using System.Globalization;
using Airlock.Core.Backends;

namespace Airlock.Backends.Runc;

/// <summary>
/// The sandbox's cgroup directories, found from the id: on cgroup v1 one per controller hierarchy
/// (<c>/sys/fs/cgroup/memory/airlock/{id}</c>, ...), on v2 <c>/sys/fs/cgroup/airlock/{id}</c>, and on a
/// hybrid host both (runc also creates a directory in the unified hierarchy). Found by scanning the
/// mount table, so any layout the host uses is covered.
/// </summary>
internal static class SandboxCgroups
{
    private static readonly Lazy<IReadOnlyList<(string MountPoint, bool IsV2, IReadOnlySet<string> Options)>> MountedHierarchies = new(ScanHierarchies);

    /// <summary>
    /// Every cgroup (v1 or v2) mount point on the host, read from the mount table once per process: the host mounts its
    /// cgroup hierarchies at boot and does not move them under a running daemon, and the counters read before every exec
    /// spent ~0.15 ms of its round trip parsing /proc/self/mountinfo again.
    /// </summary>
    public static IReadOnlyList<(string MountPoint, bool IsV2, IReadOnlySet<string> Options)> Hierarchies() => MountedHierarchies.Value;

    private static IReadOnlyList<(string MountPoint, bool IsV2, IReadOnlySet<string> Options)> ScanHierarchies()
    {
        var result = new List<(string, bool, IReadOnlySet<string>)>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // ... mountpoint options [optional fields] - fstype source superoptions
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var after = line[(separator + 3)..].Split(' ');
            var before = line[..separator].Split(' ');
            if (after.Length >= 3 && after[0] is "cgroup" or "cgroup2" && before.Length >= 5)
            {
                // v1's super options name its controllers (rw,memory); parsed once, as the list is kept.
                result.Add((before[4], after[0] == "cgroup2", after[2].Split(',').ToHashSet(StringComparer.Ordinal)));
            }
        }

        return result;
    }

    private const long CpuPeriodMicros = 100_000;

    /// <summary>
    /// Creates <paramref name="relativePath"/> under every hierarchy that has the memory, pids or cpu controller (v1)
    /// and the unified one (v2; on a hybrid host, whose v2 has no controllers, for membership only), sets the memory
    /// and task limits, and returns the cgroup.procs files a process writes itself into to join before it starts the
    /// rest. The CPU limit is <see cref="LimitCpu"/>'s, once the sandbox has started.
    /// </summary>
    public static IReadOnlyList<string> CreateWithLimits(string relativePath, long memoryBytes, int pids)
    {
        var procs = new List<string>();
        var memoryLimited = false;
        var memory = memoryBytes.ToString(CultureInfo.InvariantCulture);
        var tasks = pids.ToString(CultureInfo.InvariantCulture);
        foreach (var (mountPoint, isV2, v1Controllers) in Hierarchies())
        {
            if (!isV2 && !v1Controllers.Contains("memory") && !v1Controllers.Contains("pids") && !v1Controllers.Contains("cpu")) continue;
            var directory = Path.Combine(mountPoint, relativePath.TrimStart('/'));
            if (isV2) EnableControllersAbove(mountPoint, directory);
            Directory.CreateDirectory(directory);
            if (isV2)
            {
                memoryLimited |= TryWrite(Path.Combine(directory, "memory.max"), memory);
                TryWrite(Path.Combine(directory, "memory.swap.max"), "0");
                TryWrite(Path.Combine(directory, "pids.max"), tasks);
            }
            else
            {
                if (v1Controllers.Contains("memory"))
                {
                    // A new cgroup starts unlimited, so the memory limit may go first; memory+swap then equals it: no swap.
                    File.WriteAllText(Path.Combine(directory, "memory.limit_in_bytes"), memory);
                    TryWrite(Path.Combine(directory, "memory.memsw.limit_in_bytes"), memory);
                    memoryLimited = true;
                }

                if (v1Controllers.Contains("pids")) File.WriteAllText(Path.Combine(directory, "pids.max"), tasks);
            }

            procs.Add(Path.Combine(directory, "cgroup.procs"));
        }

        // Never a sandbox without a memory limit: on a v2 host whose memory controller cannot be delegated, say so.
        if (!memoryLimited) throw new IOException($"cannot limit memory of cgroup {relativePath}: no cgroup hierarchy offers the memory controller here");
        return procs;
    }

    /// <summary>
    /// Limits the cgroups <see cref="CreateWithLimits"/> made to <paramref name="cpus"/> CPUs (v1 CFS quota, v2
    /// <c>cpu.max</c>). The gVisor tier calls it once the agent answers: runsc's own start is parallel Go work that a
    /// 1-CPU quota throttled by ~150 ms on a 2-core host (a raw <c>runsc run</c> of echo 233 ms, in a 1-CPU cgroup 385 ms),
    /// and before the agent answers nothing of the user's runs. A host without a cpu controller gets no CPU limit, as before.
    /// </summary>
    public static void LimitCpu(string relativePath, double cpus)
    {
        var quota = ((long)Math.Ceiling(cpus * CpuPeriodMicros)).ToString(CultureInfo.InvariantCulture);
        var period = CpuPeriodMicros.ToString(CultureInfo.InvariantCulture);
        foreach (var (mountPoint, isV2, options) in Hierarchies())
        {
            var directory = Path.Combine(mountPoint, relativePath.TrimStart('/'));
            if (isV2)
            {
                TryWrite(Path.Combine(directory, "cpu.max"), $"{quota} {period}");
            }
            else if (options.Contains("cpu"))
            {
                TryWrite(Path.Combine(directory, "cpu.cfs_period_us"), period);
                TryWrite(Path.Combine(directory, "cpu.cfs_quota_us"), quota);
            }
        }
    }

    /// <summary>
    /// v2 gives a cgroup the memory, pids and cpu files only when every ancestor's <c>cgroup.subtree_control</c> enables
    /// them (runc and runsc do this for the cgroups they make). One controller per write: a write naming one that is not
    /// available (a hybrid host's empty v2) fails whole. Failures are left to the check on the limits that follows.
    /// </summary>
    private static void EnableControllersAbove(string mountPoint, string directory)
    {
        var ancestors = new List<string>();
        for (var parent = Path.GetDirectoryName(directory); parent is not null && parent.Length >= mountPoint.Length; parent = Path.GetDirectoryName(parent))
        {
            ancestors.Add(parent);
        }

        ancestors.Reverse();
        foreach (var ancestor in ancestors)
        {
            Directory.CreateDirectory(ancestor);
            foreach (var controller in (string[])["+memory", "+pids", "+cpu"])
            {
                TryWrite(Path.Combine(ancestor, "cgroup.subtree_control"), controller);
            }
        }
    }

    public static IEnumerable<string> Directories(SandboxLayout layout) =>
        Hierarchies().Select(h => Path.Combine(h.MountPoint, layout.CgroupsPath.TrimStart('/'))).Distinct();

    /// <summary>SIGKILLs anything left in the sandbox's cgroups (a crash between runc's fork and its state file), then removes them.</summary>
    public static async Task RemoveAsync(SandboxLayout layout, CancellationToken cancellationToken)
    {
        var leftovers = Directories(layout).Where(Directory.Exists).ToList();
        for (var attempt = 0; leftovers.Count > 0; attempt++)
        {
            foreach (var directory in leftovers)
            {
                KillMembers(directory);
            }

            var errors = new List<string>();
            foreach (var directory in leftovers)
            {
                // Children first: a cgroup directory can only be removed when it has no sub-cgroups.
                foreach (var child in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                {
                    TryRemove(child, errors);
                }

                TryRemove(directory, errors);
            }

            leftovers = [.. leftovers.Where(Directory.Exists)];
            if (leftovers.Count == 0)
            {
                RemoveEmptyParents(layout);
                return;
            }

            if (attempt >= 50)
            {
                throw new IOException($"cannot remove cgroup(s) {string.Join(", ", leftovers)}: {string.Join("; ", errors.Distinct())}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        // Nothing of this sandbox was left (its runtime removed its cgroups itself): the parent may still be empty.
        RemoveEmptyParents(layout);
    }

    /// <summary>OOM kills and refused forks, from whichever cgroup version holds the memory and pids controllers.</summary>
    public static LimitCounters ReadCounters(SandboxLayout layout) => ReadCounters(layout.CgroupsPath);

    /// <summary>
    /// OOM kills and refused forks of the cgroup at <paramref name="relativePath"/>, read only where they are kept: v1's
    /// memory hierarchy (<c>memory.oom_control</c>, "oom_kill N" since Linux 4.13) and pids hierarchy (<c>pids.events</c>),
    /// and v2's unified one (<c>memory.events</c>, <c>pids.events</c>). Every exec reads these before it starts; trying
    /// all three files in each of a hybrid host's 11 hierarchies threw ~30 FileNotFoundExceptions and took 0.9 ms of a
    /// ~5 ms exec round trip. A file that is absent (a hybrid host's empty v2) counts 0.
    /// </summary>
    public static LimitCounters ReadCounters(string relativePath)
    {
        long oomKills = 0, pidsRefused = 0;
        foreach (var (mountPoint, isV2, options) in Hierarchies())
        {
            var directory = Path.Combine(mountPoint, relativePath.TrimStart('/'));
            if (isV2 || options.Contains("memory"))
            {
                oomKills = Math.Max(oomKills, ReadKey(Path.Combine(directory, isV2 ? "memory.events" : "memory.oom_control"), "oom_kill"));
            }

            if (isV2 || options.Contains("pids"))
            {
                pidsRefused = Math.Max(pidsRefused, ReadKey(Path.Combine(directory, "pids.events"), "max"));
            }
        }

        return new LimitCounters(oomKills, pidsRefused);
    }

    /// <summary>
    /// Kills every member. v2 has cgroup.kill (5.14+); otherwise the cgroup is frozen first so a fork bomb
    /// cannot outrun the kill loop, then thawed so the pending SIGKILLs are delivered.
    /// </summary>
    private static void KillMembers(string directory)
    {
        if (TryWrite(Path.Combine(directory, "cgroup.kill"), "1"))
        {
            return;
        }

        var freezer = Path.Combine(directory, "freezer.state");
        var frozen = TryWrite(freezer, "FROZEN") || TryWrite(Path.Combine(directory, "cgroup.freeze"), "1");
        foreach (var procs in Directory.EnumerateFiles(directory, "cgroup.procs", SearchOption.AllDirectories))
        {
            string[] pids;
            try
            {
                pids = File.ReadAllLines(procs);
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var pid in pids)
            {
                if (int.TryParse(pid, out var id) && id > 1 && id != Environment.ProcessId)
                {
                    try
                    {
                        using var process = System.Diagnostics.Process.GetProcessById(id);
                        process.Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                    catch (InvalidOperationException)
                    {
                    }
                    catch (System.ComponentModel.Win32Exception)
                    {
                    }
                }
            }
        }

        if (frozen)
        {
            _ = TryWrite(freezer, "THAWED") || TryWrite(Path.Combine(directory, "cgroup.freeze"), "0");
        }
    }

    private static bool TryWrite(string file, string value)
    {
        try
        {
            if (!File.Exists(file))
            {
                return false;
            }

            File.WriteAllText(file, value);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The shared <c>/airlock</c> parent goes with the last sandbox, so no Airlock cgroup outlives its sandboxes.</summary>
    private static void RemoveEmptyParents(SandboxLayout layout)
    {
        foreach (var directory in Directories(layout))
        {
            var parent = Path.GetDirectoryName(directory);
            if (parent is null || !Directory.Exists(parent) || Directory.EnumerateDirectories(parent).Any()) continue;
            // A sibling created between the check and here makes rmdir fail with EBUSY/ENOTEMPTY: harmless.
            TryRemove(parent, []);
        }
    }

    private static void TryRemove(string directory, List<string> errors)
    {
        try
        {
            Directory.Delete(directory, recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException e)
        {
            errors.Add(e.Message);
        }
    }

    /// <summary>The value of "<paramref name="key"/> N" in a flat-keyed cgroup file; 0 when the file or the key is absent.</summary>
    private static long ReadKey(string file, string key)
    {
        try
        {
            if (!File.Exists(file)) return 0;
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value))
                {
                    return value;
                }
            }
        }
        catch (IOException)
        {
            // Removed between the check and the read.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
