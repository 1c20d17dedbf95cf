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

    [Fact]
    public void Network_GivesInitTheGuestsAddressAndRoute_AndNoNetworkGivesItNothing()
    {
        var none = new BootSettings("h", null, new Dictionary<string, string>());
        Assert.DoesNotContain("AIRLOCK_NET", none.BootEnv(), StringComparison.Ordinal);
        var link = new Airlock.Core.Backends.SandboxNetworkLink("/run/netns/airlock-x", System.Net.IPAddress.Parse("10.203.0.6"), System.Net.IPAddress.Parse("10.203.0.5"), 30);
        var with = new BootSettings("h", null, new Dictionary<string, string>()) { Network = link };
        Assert.Contains("AIRLOCK_NET_ADDRESS='10.203.0.6/30'\nAIRLOCK_NET_GATEWAY='10.203.0.5'\n", with.BootEnv(), StringComparison.Ordinal);
        Assert.Equal("airlock-x", link.NamespaceName);
    }

    [Fact]
    public void QemuGetsANic_OnlyWithANetwork_AsTheTapDescriptorItsLauncherHolds()
    {
        var layout = MicroVmLayout.For(new Airlock.Core.AirlockPaths("/tmp/x"), "abc");
        var kernel = new GuestKernel("/k/vmlinuz", "/k/initramfs.cpio", "6.1.0");
        var without = string.Join(' ', QemuCommandLine.Build("qemu", kernel, layout, "/b.img", false, 256L << 20, 1));
        Assert.DoesNotContain("-netdev", without, StringComparison.Ordinal);
        var with = string.Join(' ', QemuCommandLine.Build("qemu", kernel, layout, "/b.img", false, 256L << 20, 1, nic: true));
        Assert.Contains("-netdev tap,id=net,fd=64 -device virtio-net-device,netdev=net", with, StringComparison.Ordinal);
    }
}
