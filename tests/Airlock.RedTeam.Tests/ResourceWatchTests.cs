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
        using var cgroup = PidsCgroup.Create(64);
        var cgroups = new SandboxCgroups(cgroup.SandboxId);
        await using var watch = new ResourceWatch(cgroups, engineProcessId: null);
        Assert.Equal(64, watch.Before.PidsLimit);

        // The sandbox's cgroup is gone, as after a sentry that died under the attack.
        cgroup.Remove();
        Assert.Null(cgroups.PidsLimit());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!watch.Samples.Any(s => s.PidsLimit is null) && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.Contains(watch.Samples, s => s.PidsLimit is null);
        Assert.Equal(64, watch.Limit(s => s.PidsLimit));
    }

    [Fact]
    public async Task Limit_RaisedDuringTheAttack_IsTheRaisedOne()
    {
        using var cgroup = PidsCgroup.Create(64);
        await using var watch = new ResourceWatch(new SandboxCgroups(cgroup.SandboxId), engineProcessId: null);
        cgroup.SetMax(100000);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (watch.Limit(s => s.PidsLimit) != 100000 && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.Equal(100000, watch.Limit(s => s.PidsLimit));
    }

    /// <summary>A made-up sandbox's pids cgroup where the battery looks for one (<c>airlock/ID</c>), removed on dispose.</summary>
    private sealed class PidsCgroup : IDisposable
    {
        private readonly string _parent;
        private readonly bool _createdParent;
        private readonly string _directory;

        private PidsCgroup(string parent, bool createdParent, string sandboxId)
        {
            _parent = parent;
            _createdParent = createdParent;
            SandboxId = sandboxId;
            _directory = Path.Combine(parent, sandboxId);
            Directory.CreateDirectory(_directory);
        }

        public string SandboxId { get; }

        /// <summary>Under v1's pids controller, or in the v2 tree with pids delegated to <c>airlock</c>.</summary>
        public static PidsCgroup Create(long max)
        {
            var v1 = Directory.Exists("/sys/fs/cgroup/pids");
            var parent = v1 ? "/sys/fs/cgroup/pids/airlock" : "/sys/fs/cgroup/airlock";
            var created = !Directory.Exists(parent);
            Directory.CreateDirectory(parent);
            if (!v1)
            {
                File.WriteAllText("/sys/fs/cgroup/cgroup.subtree_control", "+pids");
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+pids");
            }

            var cgroup = new PidsCgroup(parent, created, "redteam-watch-" + Guid.NewGuid().ToString("N")[..12]);
            cgroup.SetMax(max);
            return cgroup;
        }

        public void SetMax(long max) => File.WriteAllText(Path.Combine(_directory, "pids.max"), max.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public void Remove()
        {
            if (Directory.Exists(_directory)) Directory.Delete(_directory);
        }

        public void Dispose()
        {
            Remove();
            if (_createdParent && Directory.Exists(_parent) && !Directory.EnumerateDirectories(_parent).Any()) Directory.Delete(_parent);
        }
    }
}
