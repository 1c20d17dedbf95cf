using Airlock.Core.Doctor;

namespace Airlock.Core.Tests.Doctor;

public sealed class HostProbesTests
{
    [Fact]
    public void CgroupVersion_UnifiedHierarchy_IsV2()
    {
        const string mounts = """
            sysfs /sys sysfs rw,nosuid 0 0
            cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0
            """;
        Assert.Equal("v2", HostProbes.CgroupVersion(mounts));
    }

    [Fact]
    public void CgroupVersion_V1ControllersWithUnified_IsHybrid()
    {
        const string mounts = """
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            """;
        Assert.Equal("hybrid", HostProbes.CgroupVersion(mounts));
    }

    [Fact]
    public void CgroupVersion_V1ControllersOnly_IsV1_AndNothing_IsNone()
    {
        Assert.Equal("v1", HostProbes.CgroupVersion("tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n"));
        Assert.Equal("none", HostProbes.CgroupVersion("proc /proc proc rw 0 0\n"));
    }

    [Fact]
    public void CgroupVersion_LastMountOnAPointWins()
    {
        Assert.Equal("v2", HostProbes.CgroupVersion("tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"));
    }

    [Fact]
    public void EffectiveUid_ReadsTheSecondUidField()
    {
        Assert.Equal(1000u, HostProbes.EffectiveUid("Name:\tx\nUid:\t0\t1000\t0\t0\nGid:\t0\t0\t0\t0\n"));
        Assert.Null(HostProbes.EffectiveUid("Name:\tx\n"));
    }

    [Fact]
    public void Seccomp_FieldAndActionsAreRead()
    {
        Assert.True(HostProbes.KernelHasSeccomp("Name:\tx\nSeccomp:\t0\nSeccomp_filters:\t0\n"));
        Assert.False(HostProbes.KernelHasSeccomp("Name:\tx\n"));
        Assert.Equal(["kill_process", "errno", "allow"], HostProbes.SeccompActions("kill_process errno allow\n"));
    }

    [Fact]
    public void HasFileSystem_MatchesWholeNamesOnly()
    {
        const string filesystems = "nodev\tsysfs\nnodev\toverlay\n\text4\n";
        Assert.True(HostProbes.HasFileSystem(filesystems, "overlay"));
        Assert.True(HostProbes.HasFileSystem(filesystems, "ext4"));
        Assert.False(HostProbes.HasFileSystem(filesystems, "ext"));
    }

    [Fact]
    public void ParseCount_AndFirstLine()
    {
        Assert.Equal(96364L, HostProbes.ParseCount("96364\n"));
        Assert.Null(HostProbes.ParseCount(""));
        Assert.Equal("runc version 1.1.5+ds1", HostProbes.FirstLine("\nrunc version 1.1.5+ds1\ncommit: x\n"));
    }
}
