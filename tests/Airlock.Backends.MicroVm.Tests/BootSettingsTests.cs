namespace Airlock.Backends.MicroVm.Tests;

public sealed class BootSettingsTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(reboot) `x` \"y\"", "'$(reboot) `x` \"y\"'")]
    public void Quote_MakesEveryValueLiteralForTheGuestShell(string value, string quoted) =>
        Assert.Equal(quoted, BootSettings.Quote(value));

    [Fact]
    public void AgentEnv_StartsFromTheDefaultPath_AndRejectsBadNames()
    {
        var env = new BootSettings("h", TimeSpan.FromSeconds(1.5), new Dictionary<string, string> { ["A"] = "1" });
        Assert.Equal("set -- 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'A=1'\n", env.AgentEnv());
        Assert.Contains("AIRLOCK_AGENT_ARGS='--ttl-seconds 2 --log /dev/null'", env.BootEnv(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new BootSettings("h", null, new Dictionary<string, string> { ["A=B"] = "1" }).AgentEnv());
    }

    [Fact]
    public void PathRules_BecomeAgentFlagsInOrder_WithPathsTheGuestShellCannotSplitOrExpand()
    {
        var settings = new BootSettings("h", null, new Dictionary<string, string>())
        {
            PathRules =
            [
                new("/data", Airlock.Policy.PathAccess.ReadOnly, true),
                new("/data/my out*", Airlock.Policy.PathAccess.ReadWrite, true),
                new("/etc/key", Airlock.Policy.PathAccess.Hidden, false),
            ],
        };
        Assert.Contains(
            "AIRLOCK_AGENT_ARGS='--path-rule ro:/data --path-rule rw:/data/my%20out%2A --path-rule hidden:/etc/key --log /dev/null'",
            settings.BootEnv(),
            StringComparison.Ordinal);
    }
}
