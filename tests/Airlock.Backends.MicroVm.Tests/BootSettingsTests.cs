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
        var without = string.Join(' ', QemuCommandLine.Build("qemu", kernel, layout, layout.Initrd, "/b.img", false, 256L << 20, 1));
        Assert.DoesNotContain("-netdev", without, StringComparison.Ordinal);
        var with = string.Join(' ', QemuCommandLine.Build("qemu", kernel, layout, layout.Initrd, "/b.img", false, 256L << 20, 1, nic: true));
        Assert.Contains("-netdev tap,id=net,fd=64 -device virtio-net-device,netdev=net", with, StringComparison.Ordinal);
    }

    [Fact]
    public void ARestoredGuest_GetsTheHostsClockAndARandomSeed_AndATemplateGetsNothingOfASandbox()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var restored = new BootSettings("sbx-1", null, new Dictionary<string, string> { ["K"] = "v" }) { Restore = (1_790_000_000, seed) };
        var text = restored.BootEnv();
        Assert.Contains("AIRLOCK_CLOCK=1790000000\n", text, StringComparison.Ordinal);
        Assert.Contains("--rng-seed " + Convert.ToHexStringLower(seed) + " --log /dev/null'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AIRLOCK_CLOCK", new BootSettings("h", null, new Dictionary<string, string>()).BootEnv(), StringComparison.Ordinal);
        Assert.Equal("AIRLOCK_SETTINGS=port\n", BootSettings.TemplateBootEnv(trace: false));
    }

    [Fact]
    public void ARestore_AsksQemuForTheIncomingStream_AndBootsFromTheTemplatesInitrd()
    {
        var layout = MicroVmLayout.For(new Airlock.Core.AirlockPaths("/tmp/x"), "abc");
        var kernel = new GuestKernel("/k/vmlinuz", "/k/initramfs.cpio", "6.1.0");
        var argv = QemuCommandLine.Build("qemu", kernel, layout, "/t/initrd.cpio", "/b.img", false, 256L << 20, 1, incoming: layout.IncomingSocket);
        Assert.Equal("/t/initrd.cpio", argv[argv.ToList().IndexOf("-initrd") + 1]);
        Assert.Equal("unix:" + layout.IncomingSocket, argv[argv.ToList().IndexOf("-incoming") + 1]);
        Assert.DoesNotContain("-incoming", QemuCommandLine.Build("qemu", kernel, layout, layout.Initrd, "/b.img", false, 256L << 20, 1));
    }

    [Fact]
    public void TemplateKey_ChangesWithAnyInput()
    {
        var agent = Path.GetTempFileName();
        try
        {
            var a = GuestTemplate.For("/t", [agent], ["ram=1"]);
            Assert.Equal(a.Key, GuestTemplate.For("/t", [agent], ["ram=1"]).Key);
            Assert.NotEqual(a.Key, GuestTemplate.For("/t", [agent], ["ram=2"]).Key);
            File.AppendAllText(agent, "rebuilt");
            Assert.NotEqual(a.Key, GuestTemplate.For("/t", [agent], ["ram=1"]).Key);
            Assert.Equal("/t/" + a.Key + "/state", a.State);
        }
        finally
        {
            File.Delete(agent);
        }
    }

    /// <summary>In a shared tmpfs another user could make the directory first and then swap a guest's state: refused.</summary>
    [MicroVmFact]
    public Task TemplateDirectory_MustBeRootsAlone()
    {
        var root = MicroVmHost.NewTemplateDirectory();
        var link = root + "-link";
        try
        {
            Assert.True(GuestTemplate.TryPrepareRoot(root));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(root));
            File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
            Assert.False(GuestTemplate.TryPrepareRoot(root));
            File.SetUnixFileMode(root, (UnixFileMode)0b111_001_001);
            Assert.Equal(0, Airlock.Native.HostMountCalls.ChangeOwner(root, 1000, 1000));
            Assert.False(GuestTemplate.TryPrepareRoot(root));
            Assert.Equal(0, Airlock.Native.HostMountCalls.ChangeOwner(root, 0, 0));
            File.CreateSymbolicLink(link, root);
            Assert.False(GuestTemplate.TryPrepareRoot(link));
            Assert.True(GuestTemplate.TryPrepareRoot(root));
        }
        finally
        {
            File.Delete(link);
            Directory.Delete(root);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public void Prune_KeepsTheMostRecentlyUsed_AndDropsBuildsWhoseProcessIsGone()
    {
        var root = Directory.CreateTempSubdirectory("airlock-templates-").FullName;
        try
        {
            for (var i = 0; i < GuestTemplate.MaxKept + 2; i++)
            {
                Directory.CreateDirectory(Path.Combine(root, $"k{i}"));
                var state = Path.Combine(root, $"k{i}", GuestTemplate.StateName);
                File.WriteAllText(state, "s");
                File.SetLastWriteTimeUtc(state, DateTime.UtcNow.AddMinutes(i)); // k0 least recently used
            }

            var live = Directory.CreateDirectory(Path.Combine(root, $"k0.making-{Environment.ProcessId}-aa")).FullName;
            var dead = Directory.CreateDirectory(Path.Combine(root, "k0.making-2147483646-bb")).FullName;
            GuestTemplate.Prune(root);
            string?[] expected = [.. Enumerable.Range(2, GuestTemplate.MaxKept).Select(i => $"k{i}"), Path.GetFileName(live)];
            Assert.Equal(
                expected.Order(StringComparer.Ordinal),
                Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.False(Directory.Exists(dead));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
