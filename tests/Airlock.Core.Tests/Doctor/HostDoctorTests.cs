using System.Text.Json;
using Airlock.Core.Doctor;

namespace Airlock.Core.Tests.Doctor;

public sealed class HostDoctorTests
{
    [Fact]
    public void Run_OnThisHost_ReportsRuncAndTheCgroupLayoutThatIsReallyMounted()
    {
        var report = HostDoctor.Run([]);

        var runc = Assert.Single(report.Checks, check => check.Name == "runc");
        Assert.True(runc.Ok, runc.Detail);
        Assert.StartsWith("runc version", runc.Detail);
        Assert.Equal(ExpectedCgroupVersion(), report.CgroupVersion);
        Assert.Equal(report.CgroupVersion, Assert.Single(report.Checks, check => check.Name == "cgroup").Detail.Split(' ')[0]);
        Assert.All(report.Checks.Where(check => !check.Ok && !check.Informational), check => Assert.False(string.IsNullOrEmpty(check.Fix)));
    }

    [Fact]
    public void Report_SerialisesWithTierSummaryAndMissingPackages()
    {
        var json = JsonSerializer.Serialize(HostDoctor.Run([]), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var document = JsonDocument.Parse(json);
        Assert.Contains(document.RootElement.GetProperty("anyTierAvailable").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.Contains("\"fix\"", json);
        Assert.Equal(3, document.RootElement.GetProperty("tiers").GetArrayLength());
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("missingPackages").ValueKind);
    }

    [Fact]
    public void Tiers_ComeFromTheBackendsProbes_AndTiersWithoutABackendSaySo()
    {
        var tiers = HostDoctor.Tiers([new Backends.TierProbe("container", true, "ready (runc 1.1.5)"), new Backends.TierProbe("gvisor", false, "runsc is not installed", "apt-get install runsc")]);
        Assert.Equal(["microvm", "gvisor", "container"], tiers.Select(t => t.Name));
        Assert.True(tiers[2].Available);
        Assert.Equal("apt-get install runsc", tiers[1].Fix);
        Assert.Contains("not built", tiers[0].Reason);
        var report = new DoctorReport { Checks = [new DoctorCheck { Name = "mmdebstrap", Ok = false, Detail = "absent", Package = "mmdebstrap" }], Tiers = tiers, CgroupVersion = "v2" };
        Assert.True(report.AnyTierAvailable);
        Assert.Equal(["mmdebstrap"], report.MissingPackages);
        Assert.False(new DoctorReport { Checks = [], Tiers = HostDoctor.Tiers([]), CgroupVersion = "v2" }.AnyTierAvailable);
    }

    /// <summary>Reads /proc/mounts its own way, so the test does not just repeat the parser.</summary>
    private static string ExpectedCgroupVersion()
    {
        var mounts = File.ReadAllLines("/proc/mounts").Select(line => line.Split(' ')).ToList();
        var topType = mounts.LastOrDefault(fields => fields[1] == "/sys/fs/cgroup")?[2];
        if (topType == "cgroup2") return "v2";
        var hasV1 = mounts.Any(fields => fields[2] == "cgroup" && fields[1].StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal));
        var hasUnified = mounts.Any(fields => fields[2] == "cgroup2" && fields[1] == "/sys/fs/cgroup/unified");
        return hasV1 ? (hasUnified ? "hybrid" : "v1") : "none";
    }
}
