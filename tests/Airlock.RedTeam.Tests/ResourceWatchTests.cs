using Airlock.RedTeam.Host;

namespace Airlock.RedTeam.Tests;

/// <summary>
/// The resource judges read limits from the watch, not from the cgroups at judging time: a fork bomb under gVisor can
/// end its own sandbox (runsc's threads meet the host backstop), and a judge that read the then-missing pids.max
/// called the host's held limit "no effective limit" (escaped).
/// </summary>
[Collection("redteam")]
public sealed class ResourceWatchTests
{
    [Fact]
    public async Task Limit_IsTheOneInForceDuringTheAttack_AfterTheSandboxsCgroupIsGone()
    {
        var id = "redteam-watch-" + Guid.NewGuid().ToString("N")[..12];
        var (parent, createdParent) = PidsParent();
        var directory = Path.Combine(parent, id);
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "pids.max"), "64");
            var cgroups = new SandboxCgroups(id);
            await using (var watch = new ResourceWatch(cgroups, engineProcessId: null))
            {
                Assert.Equal(64, watch.Before.PidsLimit);
                Directory.Delete(directory);
                // The sandbox's cgroup is gone, as after a sentry that died under the attack.
                Assert.Null(cgroups.PidsLimit());
                await WaitForSampleWithoutCgroupAsync(watch);

                Assert.Equal(64, watch.Limit(s => s.PidsLimit));
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory);
            if (createdParent && Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any()) Directory.Delete(parent);
        }
    }

    [Fact]
    public async Task Limit_RaisedDuringTheAttack_IsTheRaisedOne()
    {
        var id = "redteam-watch-" + Guid.NewGuid().ToString("N")[..12];
        var (parent, createdParent) = PidsParent();
        var directory = Path.Combine(parent, id);
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "pids.max"), "64");
            await using var watch = new ResourceWatch(new SandboxCgroups(id), engineProcessId: null);
            await File.WriteAllTextAsync(Path.Combine(directory, "pids.max"), "100000");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (watch.Limit(s => s.PidsLimit) != 100000 && DateTime.UtcNow < deadline) await Task.Delay(50);

            Assert.Equal(100000, watch.Limit(s => s.PidsLimit));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory);
            if (createdParent && Directory.Exists(parent) && !Directory.EnumerateDirectories(parent).Any()) Directory.Delete(parent);
        }
    }

    private static async Task WaitForSampleWithoutCgroupAsync(ResourceWatch watch)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!watch.Samples.Any(s => s.PidsLimit is null) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Contains(watch.Samples, s => s.PidsLimit is null);
    }

    /// <summary>The <c>airlock</c> parent in the pids hierarchy: v1's pids controller, or the v2 tree with pids delegated to it.</summary>
    private static (string Parent, bool Created) PidsParent()
    {
        if (Directory.Exists("/sys/fs/cgroup/pids"))
        {
            var v1 = "/sys/fs/cgroup/pids/airlock";
            var created = !Directory.Exists(v1);
            Directory.CreateDirectory(v1);
            return (v1, created);
        }

        var v2 = "/sys/fs/cgroup/airlock";
        var createdV2 = !Directory.Exists(v2);
        Directory.CreateDirectory(v2);
        File.WriteAllText("/sys/fs/cgroup/cgroup.subtree_control", "+pids");
        File.WriteAllText(Path.Combine(v2, "cgroup.subtree_control"), "+pids");
        return (v2, createdV2);
    }
}
