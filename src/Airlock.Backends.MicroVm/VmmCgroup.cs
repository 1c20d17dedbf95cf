using System.Globalization;
using Airlock.Backends.Runc;
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
    /// <summary>Creates the directories, sets the limits; returns the cgroup.procs files a new process must join.</summary>
    public static IReadOnlyList<string> Create(MicroVmLayout layout, long memoryBytes, int pids, double cpus)
    {
        var procs = SandboxCgroups.CreateWithLimits(layout.CgroupPath, memoryBytes, pids);
        SandboxCgroups.LimitCpu(layout.CgroupPath, cpus);
        return procs;
    }

    public static IEnumerable<string> Directories(MicroVmLayout layout) =>
        SandboxCgroups.Hierarchies().Select(h => Path.Combine(h.MountPoint, layout.CgroupPath)).Distinct();

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
        foreach (var parent in SandboxCgroups.Hierarchies().Select(h => Path.Combine(h.MountPoint, MicroVmLayout.CgroupParent)).Distinct())
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

    /// <summary>
    /// The guest's OOM kills are not visible here; this counts QEMU itself hitting the VMM limit. QEMU's refused threads
    /// are not a command's pids limit (the guest kernel enforces that), so none are counted.
    /// </summary>
    public static LimitCounters ReadCounters(MicroVmLayout layout) => SandboxCgroups.ReadCounters(layout.CgroupPath) with { PidsRefused = 0 };
}
