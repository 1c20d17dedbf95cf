using Airlock.Core.Policy;
using Airlock.Policy;
using static Airlock.Core.Tests.Policy.PolicyErrorsAssert;

namespace Airlock.Core.Tests.Policy;

/// <summary>What a <c>files</c> rule may name and how rules combine: refused at the rule's line, naming it.</summary>
public sealed class FileRuleCheckTests
{
    [Theory]
    [InlineData("/", "'/' cannot have a rule")]
    [InlineData("/proc", "'/proc' is under /proc, a kernel file system")]
    [InlineData("/proc/self/mem", "is under /proc")]
    [InlineData("/sys/fs/cgroup", "is under /sys")]
    [InlineData("/dev", "is under /dev")]
    [InlineData("/dev/shm/x", "is under /dev")]
    [InlineData("/.airlock", "would cover /.airlock, which Airlock's guest agent needs")]
    [InlineData("/.airlock/agent", "would cover /.airlock")]
    [InlineData("/run", "'/run' would cover /run/airlock")]
    [InlineData("/run/airlock/agent.sock", "would cover /run/airlock")]
    public void Load_RefusesAReservedPath_AtItsLine(string path, string expected)
    {
        var error = SingleError($"files:\n  - {{ path: {path}, access: read-only }}\n");
        Assert.StartsWith("2:13: files[0].path: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/procfs")]
    [InlineData("/device")]
    [InlineData("/runner")]
    [InlineData("/run/airlock2")]
    [InlineData("/run/user")]
    [InlineData("/.airlocks")]
    public void Load_AcceptsNamesThatOnlyStartLikeAReservedPath(string path) =>
        Assert.Equal([new FileRule { Path = path, Access = PathAccess.Hidden }], PolicyLoader.Load($"files: [ {{ path: {path}, access: hidden }} ]", "policy").Files);

    [Fact]
    public void Load_RefusesARuleThatEnclosesAnEarlierOne_NamingIt() =>
        Assert.Equal(
            "3:13: files[1].path: '/data' encloses '/data/out' (the rule at files[0]), which comes earlier; rules apply in order and this one would cover it. Write the enclosing path first",
            SingleError("files:\n  - { path: /data/out, access: read-write }\n  - { path: /data, access: read-only }\n"));

    [Fact]
    public void Load_RefusesARuleInsideAHiddenPath_NamingIt() =>
        Assert.Equal(
            "3:13: files[1].path: '/secret/key' is inside '/secret', which is hidden by the rule at files[0]; nothing inside a hidden path can be reached",
            SingleError("files:\n  - { path: /secret, access: hidden }\n  - { path: /secret/key, access: read-only }\n"));

    [Fact]
    public void Load_KeepsRulesInTheOrderWritten_ANarrowerRuleMayReopenOrHideInsideAReadOnlyOne()
    {
        var policy = PolicyLoader.Load(
            "files:\n  - { path: /data, access: read-only }\n  - { path: /data/out, access: read-write }\n  - { path: /data/keys, access: hidden }\n  - { path: /workspace, access: read-write }\n",
            "policy");
        Assert.Equal(["/data", "/data/out", "/data/keys", "/workspace"], policy.Files.Select(f => f.Path));
        Assert.Equal([PathAccess.ReadOnly, PathAccess.ReadWrite, PathAccess.Hidden, PathAccess.ReadWrite], policy.Files.Select(f => f.Access));
    }

    [Theory]
    [InlineData("/data", "/data", true)]
    [InlineData("/data/x", "/data", true)]
    [InlineData("/database", "/data", false)]
    [InlineData("/dat", "/data", false)]
    [InlineData("/anything", "/", true)]
    public void IsSameOrInside_IsExactOnSegmentBoundaries(string path, string ancestor, bool expected) =>
        Assert.Equal(expected, FileRuleChecks.IsSameOrInside(path, ancestor));
}
