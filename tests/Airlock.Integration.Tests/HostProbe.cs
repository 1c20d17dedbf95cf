using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>What the host looks like from outside the sandbox: the evidence that nothing leaked or was left behind.</summary>
internal static class HostProbe
{
    /// <summary>Mounts whose source or target lies under <paramref name="dir"/>.</summary>
    public static IReadOnlyList<string> MountsUnder(string dir) =>
        File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(dir, StringComparison.Ordinal)).ToList();

    /// <summary>Loop devices whose backing file lies under <paramref name="dir"/>.</summary>
    public static IReadOnlyList<string> LoopDevicesUnder(string dir) =>
        Directory.Exists("/sys/block")
            ? Directory.GetDirectories("/sys/block", "loop*")
                .Select(d => Path.Combine(d, "loop", "backing_file"))
                .Where(File.Exists)
                .Select(f => File.ReadAllText(f).Trim())
                .Where(f => f.StartsWith(dir, StringComparison.Ordinal))
                .ToList()
            : [];

    /// <summary>Cgroup directories named for a sandbox id, in any v1 controller or the v2 tree.</summary>
    public static IReadOnlyList<string> CgroupsOf(string id)
    {
        var found = new List<string>();
        foreach (var root in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            // The container and gVisor tiers' cgroups, and the microVM tier's (QEMU and its bridge).
            foreach (var dir in new[] { Path.Combine(root, "airlock", id), Path.Combine(root, "airlock-vmm", id) })
            {
                if (Directory.Exists(dir)) found.Add(dir);
            }
        }

        return found;
    }

    /// <summary>runc containers (default root) for a sandbox id.</summary>
    public static bool RuncHas(string id)
    {
        var psi = new ProcessStartInfo("runc", ["state", $"airlock-{id}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>Host processes whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ProcessesWith(string marker)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(marker, StringComparison.Ordinal)) pids.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    /// <summary>Every trace a sandbox can leave on the host; empty when it is truly gone.</summary>
    public static IReadOnlyList<string> TracesOf(string dataDir, string id)
    {
        var traces = new List<string>();
        traces.AddRange(MountsUnder(Path.Combine(dataDir, "sandboxes", id)).Select(m => "mount: " + m));
        traces.AddRange(LoopDevicesUnder(Path.Combine(dataDir, "sandboxes", id)).Select(l => "loop: " + l));
        traces.AddRange(CgroupsOf(id).Select(c => "cgroup: " + c));
        if (RuncHas(id)) traces.Add("runc container airlock-" + id);
        // runsc's sandbox and gofer, and QEMU, name the sandbox's directory on their command lines.
        traces.AddRange(ProcessesWith(Path.Combine(dataDir, "sandboxes", id)).Select(p => $"process {p}"));
        if (Directory.Exists(Path.Combine(dataDir, "runsc")) && Directory.EnumerateFileSystemEntries(Path.Combine(dataDir, "runsc"), $"*airlock-{id}*").Any()) traces.Add("runsc state airlock-" + id);
        var directory = Path.Combine(dataDir, "sandboxes", id);
        if (Directory.Exists(directory))
        {
            // What is in it tells which step left it (or made it again).
            var entries = Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Take(12).Select(e => Path.GetRelativePath(directory, e));
            traces.Add($"directory {directory} holding [{string.Join(", ", entries)}]");
        }
        // The microVM tier keeps each sandbox under microvm/{id}; QEMU and the bridge name it on their command lines.
        var vm = Path.Combine(dataDir, "microvm", id);
        if (Directory.Exists(vm)) traces.Add("directory " + vm);
        traces.AddRange(ProcessesWith(vm).Select(p => $"process {p}"));
        return traces;
    }
}
