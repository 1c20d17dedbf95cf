using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary><c>airlock doctor</c> tells the truth about this host, checked against facts the test reads itself.</summary>
public sealed class DoctorTests : IDisposable
{
    private readonly TempDataDir _data = new();

    [Fact]
    public async Task Json_ReportsTheCgroupLayout_TheKvmVerdict_AndTheTierAutoPicks()
    {
        var result = await Cli.RunAsync(_data.Path, "doctor", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Stdout);
        var root = report.RootElement;

        var mounts = File.ReadAllText("/proc/mounts");
        var unifiedOnly = mounts.Split('\n').Any(l => l.Split(' ') is [_, "/sys/fs/cgroup", "cgroup2", ..]);
        Assert.Equal(unifiedOnly ? "v2" : "hybrid", root.GetProperty("cgroupVersion").GetString());

        var kvm = root.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "kvm");
        var detail = kvm.GetProperty("detail").GetString()!;
        if (!File.Exists("/dev/kvm"))
        {
            Assert.False(kvm.GetProperty("ok").GetBoolean());
            Assert.Contains("no /dev/kvm", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("probe guest", detail, StringComparison.Ordinal);
        }
        else if (!kvm.GetProperty("ok").GetBoolean())
        {
            // The device exists; only a probe boot can say it does not work, and the report says which it was.
            Assert.Contains("KVM present but unusable", detail, StringComparison.Ordinal);
        }

        var tiers = root.GetProperty("tiers").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t);
        Assert.Equal(["microvm", "gvisor", "container"], tiers.Keys);
        var microvmForAuto = tiers["microvm"].GetProperty("forAuto").GetBoolean();
        Assert.Equal(kvm.GetProperty("ok").GetBoolean(), microvmForAuto);
        var expected = microvmForAuto ? "microvm" : tiers["gvisor"].GetProperty("forAuto").GetBoolean() ? "gvisor" : "container";
        Assert.StartsWith(expected + " ", root.GetProperty("autoChoice").GetString(), StringComparison.Ordinal);

        // Under TCG the report says whether guests come from template snapshots and what the cache holds.
        if (!kvm.GetProperty("ok").GetBoolean() && tiers["microvm"].GetProperty("available").GetBoolean())
        {
            var snapshots = root.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "microvm-snapshots");
            Assert.Matches(@"^on: .* \d+ kept in /dev/shm/airlock-microvm-templates \(\d+ MiB of memory\)$", snapshots.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Fix_WithNothingMissing_SaysSo_AndExitsZero()
    {
        var result = await Cli.RunAsync(_data.Path, "doctor", "--fix");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no missing Debian package", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("auto picks:", result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
