namespace Airlock.Integration.Tests;

/// <summary>Which tier a sandbox gets, and that the user can tell.</summary>
[Collection(SandboxCollection.Name)]
public sealed class TierTests : IDisposable
{
    private readonly TempDataDir _data = new();

    [Fact]
    public async Task Gvisor_Dmesg_ShowsGvisorsKernel()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--isolation", "gvisor", "--", "dmesg");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Starting gVisor", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
    }

    [Fact]
    public async Task Container_UnameR_IsTheHostsKernel()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--isolation", "container", "--", "uname", "-r");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), result.Stdout.Trim());
    }

    [Fact]
    public async Task Gvisor_UnameR_IsNotTheHostsKernel_AndTheTierIsRecorded()
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--isolation", "gvisor", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var info = System.Text.Json.JsonDocument.Parse(created.Stdout);
        var id = info.RootElement.GetProperty("id").GetString()!;
        try
        {
            Assert.Equal("gvisor", info.RootElement.GetProperty("isolation").GetString());
            Assert.Contains("explicitly", info.RootElement.GetProperty("isolationReason").GetString(), StringComparison.Ordinal);
            var uname = await Cli.RunAsync(_data.Path, "exec", id, "--", "uname", "-r");
            Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), uname.Stdout.Trim());
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", id);
        }

        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
    }

    [Fact]
    public async Task Auto_SaysWhichTierItPickedAndWhy()
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var info = System.Text.Json.JsonDocument.Parse(created.Stdout);
        var id = info.RootElement.GetProperty("id").GetString()!;
        await Cli.RunAsync(_data.Path, "rm", id);
        // This machine has no usable KVM, so the strongest tier it runs is gVisor; the reason says why not microvm.
        Assert.Equal("gvisor", info.RootElement.GetProperty("isolation").GetString());
        Assert.StartsWith("auto:", info.RootElement.GetProperty("isolationReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("microvm", info.RootElement.GetProperty("isolationReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("(gvisor; auto:", created.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Microvm_UnameR_IsTheGuestKernels_NotTheHosts()
    {
        var result = await Cli.RunAsync(_data.Path, ["run", "--isolation", "microvm", "--", "uname", "-r"], null, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.ToString());
        var guest = result.Stdout.Trim();
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), guest);
        // The guest runs the kernel that scripts/microvm-kernel.sh unpacked: its release names the cache directory.
        Assert.Equal(Path.GetFileName(Path.GetFullPath(new DirectoryInfo("/var/lib/airlock/kernels/current").ResolveLinkTarget(true)?.FullName ?? "/var/lib/airlock/kernels/current")), guest);
        Assert.Contains("(microvm;", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "sandboxes")));
        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "microvm") + "/"));
    }

    [Fact]
    public async Task Microvm_WhenNotAvailable_FailsClearly_RatherThanDowngrading()
    {
        using var noKernels = new TempDataDir();
        var result = await Cli.RunAsync(_data.Path, ["run", "--isolation", "microvm", "--", "true"], new Dictionary<string, string> { ["AIRLOCK_KERNELS"] = noKernels.Path }, TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("microvm", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("microvm-kernel.sh", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
    }

    public void Dispose() => _data.Dispose();
}
