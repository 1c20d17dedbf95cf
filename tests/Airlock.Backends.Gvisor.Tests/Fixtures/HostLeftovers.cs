using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Gvisor.Tests.Fixtures;

/// <summary>Checks, from the host's own tables, that nothing of a gVisor sandbox is left.</summary>
internal static class HostLeftovers
{
    public static async Task AssertNoneAsync(GvisorBackend backend, AirlockPaths paths, string id, int? sentryPid = null)
    {
        var directory = paths.SandboxDirectory(id);
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(directory, StringComparison.Ordinal));

        var losetup = await HostCommand.CheckAsync("losetup", ["-a"]);
        Assert.DoesNotContain(Path.Combine(directory, "disk.img"), losetup.Stdout);

        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            Assert.False(Directory.Exists(Path.Combine(hierarchy, "airlock", id)), $"cgroup left in {hierarchy}");
        }

        var state = await HostCommand.RunAsync("runsc", ["--root", backend.RunscRoot, "state", "airlock-" + id]);
        Assert.False(state.Succeeded, "runsc still knows the container");
        Assert.Empty(Directory.Exists(backend.RunscRoot) ? Directory.EnumerateFileSystemEntries(backend.RunscRoot, $"*airlock-{id}*") : []);
        Assert.False(Directory.Exists(directory), $"{directory} still exists");

        // runsc's gofer and sentry carry the runsc root on their command lines: none may survive.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (RunscProcesses(backend.RunscRoot, id).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Empty(RunscProcesses(backend.RunscRoot, id));
        if (sentryPid is { } pid)
        {
            Assert.False(IsAlive(pid), $"sentry pid {pid} still alive");
        }

        Assert.Equal(BackendState.Missing, await backend.GetStateAsync(id));
        Assert.DoesNotContain(id, await backend.ListHostSandboxesAsync());
    }

    /// <summary>Live (non-zombie) processes whose command line names this runsc root and sandbox.</summary>
    public static List<int> RunscProcesses(string runscRoot, string id) =>
        [.. LiveProcesses(c => c.Contains("--root=" + runscRoot, StringComparison.Ordinal) && c.Contains(id, StringComparison.Ordinal)).Select(p => p.Pid)];

    /// <summary>Live (non-zombie) processes whose command line (arguments joined by spaces) matches.</summary>
    public static List<(int Pid, string CommandLine)> LiveProcesses(Func<string, bool> matches)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (matches(cmdline) && IsAlive(pid))
                {
                    found.Add((pid, cmdline));
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
