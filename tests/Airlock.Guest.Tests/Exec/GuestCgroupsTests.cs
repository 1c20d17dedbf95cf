using Airlock.Guest.Exec;

namespace Airlock.Guest.Tests.Exec;

public sealed class GuestCgroupsTests
{
    [Fact]
    public void OomKills_AreReadFromVmstat()
    {
        Assert.Equal(3, GuestCgroups.ParseOomKills("nr_free_pages 1\noom_kill 3\ncompact_stall 0\n"));
        Assert.Equal(0, GuestCgroups.ParseOomKills("nr_free_pages 1\n"));
        Assert.Equal(0, GuestCgroups.ParseOomKills("oom_kill many\n"));
    }

    /// <summary>This host's own kernel counts the same way a guest's does: the live read finds the counter.</summary>
    [Fact]
    public void OomKills_OfThisKernel_MatchItsVmstat()
    {
        var line = File.ReadLines("/proc/vmstat").Single(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
        Assert.Equal(long.Parse(line[9..], System.Globalization.CultureInfo.InvariantCulture), GuestCgroups.OomKills());
    }
}
