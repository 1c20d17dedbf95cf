using Airlock.Core.Engine;

namespace Airlock.Core.Tests.Engine;

public sealed class PostureParserTests
{
    [Fact]
    public void Capabilities_NamesEachBitOfTheMask()
    {
        Assert.Equal(["CHOWN", "KILL", "SYS_ADMIN"], PostureParser.Capabilities("0000000000200021"));
        Assert.Empty(PostureParser.Capabilities("0000000000000000"));
        Assert.Empty(PostureParser.Capabilities("not hex"));
    }

    [Theory]
    [InlineData("268435456\n", 268435456L)]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712", null)]
    [InlineData("", null)]
    [InlineData("-1", null)]
    public void Limit_TreatsTheUnlimitedSentinelsAsNone(string text, long? expected) =>
        Assert.Equal(expected, PostureParser.Limit(text));

    [Fact]
    public void Cpus_ReadsV2AndV1Forms()
    {
        Assert.Equal(0.5, PostureParser.Cpus("50000 100000\n", null, null));
        Assert.Null(PostureParser.Cpus("max 100000", null, null));
        Assert.Equal(2, PostureParser.Cpus(null, "200000", "100000"));
        Assert.Null(PostureParser.Cpus(null, "-1", "100000"));
    }

    [Fact]
    public void Network_LoopbackOnly_IsReportedAsNoNetwork()
    {
        const string header = "Inter-|   Receive\n face |bytes\n";
        Assert.Equal("none: loopback only", PostureParser.Network(header + "    lo: 0 0\n"));
        Assert.Equal("interfaces: lo, eth0", PostureParser.Network(header + "    lo: 0 0\n  eth0: 1 2\n"));
    }

    [Fact]
    public void StatusField_FindsTheNamedLine() =>
        Assert.Equal("2", PostureParser.StatusField("Name:\tcat\nSeccomp:\t2\nSeccomp_filters:\t1\n", "Seccomp"));

    [Theory]
    [InlineData("0::/sandbox/commands\n", "/sandbox/commands")]
    [InlineData("12:pids:/x\n0::/\n", "/")]
    [InlineData("", "/")]
    public void CgroupV2Path_ReadsTheUnifiedLine(string text, string expected) => Assert.Equal(expected, PostureParser.CgroupV2Path(text));

    [Fact]
    public void CgroupAncestors_WalkUpToTheRoot()
    {
        Assert.Equal(["/sandbox/commands", "/sandbox", ""], PostureParser.CgroupAncestors("/sandbox/commands"));
        Assert.Equal([""], PostureParser.CgroupAncestors("/"));
    }

    [Fact]
    public void MemTotalBytes_IsTheKilobytesTimes1024()
    {
        Assert.Equal(262144L * 1024, PostureParser.MemTotalBytes("MemTotal:         262144 kB\nMemFree: 1 kB\n"));
        Assert.Null(PostureParser.MemTotalBytes("MemFree: 1 kB\n"));
    }
}
