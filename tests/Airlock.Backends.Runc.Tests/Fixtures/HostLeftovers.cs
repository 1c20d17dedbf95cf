using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Runc.Tests.Fixtures;

/// <summary>Checks, from the host's own tables, that nothing of a sandbox is left.</summary>
internal static class HostLeftovers
{
    public static async Task AssertNoneAsync(RuncBackend backend, AirlockPaths paths, string id, int? initPid = null)
    {
        var directory = paths.SandboxDirectory(id);
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(directory, StringComparison.Ordinal));

        var losetup = await HostCommand.CheckAsync("losetup", ["-a"]);
        Assert.DoesNotContain(Path.Combine(directory, "disk.img"), losetup.Stdout);

        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            Assert.False(Directory.Exists(Path.Combine(hierarchy, "airlock", id)), $"cgroup left in {hierarchy}");
        }

        var state = await HostCommand.RunAsync("runc", ["state", "airlock-" + id]);
        Assert.False(state.Succeeded, "runc still knows the container");
        Assert.False(Directory.Exists(directory), $"{directory} still exists");
        if (initPid is { } pid)
        {
            // Killed processes linger briefly as zombies until the host's init reaps them; a zombie runs nothing.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (IsAlive(pid) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(IsAlive(pid), $"init pid {pid} still alive");
        }

        Assert.Equal(BackendState.Missing, await backend.GetStateAsync(id));
        Assert.DoesNotContain(id, await backend.ListHostSandboxesAsync());
    }

    private static bool IsAlive(int pid)
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
