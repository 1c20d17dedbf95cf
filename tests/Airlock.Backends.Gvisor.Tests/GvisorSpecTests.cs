using Airlock.Core;

namespace Airlock.Backends.Gvisor.Tests;

/// <summary>The spec gVisor gets: the container tier's, with the pids limit moved into the sentry and no seccomp profile it would mis-apply.</summary>
public sealed class GvisorSpecTests
{
    [Fact]
    public void HostTaskBudget_GrowsWithTheGuestLimit_AndIsCapped()
    {
        Assert.Equal(128 + (8 + 8) * (8 + 64), RunscOverhead.HostTaskBudget(8, 4096));
        Assert.Equal(4096, RunscOverhead.HostTaskBudget(64, 4096));
        Assert.Equal(4096, RunscOverhead.HostTaskBudget(int.MaxValue, 4096));
        Assert.True(RunscOverhead.HostTaskBudget(1, 4096) > 128);
        Assert.Throws<ArgumentOutOfRangeException>(() => RunscOverhead.HostTaskBudget(0, 4096));
    }

    [Fact]
    public void BuildSpec_GivesTheAgentRlimitNprocWithItsReserve_TheUsersPidsToTheAgent_TheBackstopToTheCgroup_AndNoSeccomp()
    {
        var paths = new AirlockPaths("/var/tmp/airlock-gvisor-spec");
        var backend = new GvisorBackend(paths);
        var request = TestSandboxRequest("s1", pids: 64, memory: 64L << 20);
        var spec = backend.BuildSpec(request);

        Assert.Null(spec.Linux.Seccomp);
        Assert.Equal(4096, spec.Linux.Resources!.Pids!.Limit);
        var nproc = Assert.Single(spec.Process.Rlimits, r => r.Type == "RLIMIT_NPROC");
        // The agent may hold its own threads beyond the user's 64; it lowers each command's RLIMIT_NPROC to the 64
        // (plus its threads of the moment) and enforces the 64 MiB itself.
        Assert.Equal(64UL + Airlock.Oci.AgentContract.AgentTaskReserve, nproc.Hard);
        Assert.Equal(64UL + Airlock.Oci.AgentContract.AgentTaskReserve, nproc.Soft);
        Assert.Equal(["--child-tasks", "64"], spec.Process.Args.SkipWhile(a => a != "--child-tasks").Take(2));
        Assert.Equal(["--memory-bytes", (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)], spec.Process.Args.SkipWhile(a => a != "--memory-bytes").Take(2));
        Assert.Equal(64L << 20, spec.Linux.Resources.Memory!.Limit);
        Assert.Equal("/airlock/s1", spec.Linux.CgroupsPath);
        Assert.Contains(spec.Linux.UidMappings!, m => m.HostID == HostIdRange.Base && m.ContainerID == 0);
        Assert.Contains(spec.Mounts, m => m.Destination == Airlock.Oci.AgentContract.SocketDirectory && m.Source.EndsWith("/s1/disk/run", StringComparison.Ordinal));
    }

    private static Airlock.Core.Backends.BackendCreateRequest TestSandboxRequest(string id, int pids, long memory) => new()
    {
        Id = id,
        ImageRootfs = "/nonexistent-rootfs",
        AgentPath = "/nonexistent-agent",
        Cpus = 1,
        MemoryBytes = memory,
        Pids = pids,
        DiskBytes = 512L << 20,
        Hostname = "h",
    };
}
