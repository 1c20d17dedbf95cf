namespace Airlock.Integration.Tests;

/// <summary>A policy's isolation floor and limits, through the CLI, on this host (no usable KVM).</summary>
[Collection(SandboxCollection.Name)]
public sealed class PolicyTests : IDisposable
{
    private readonly TempDataDir _data = new();

    private string PolicyFile(string text)
    {
        var file = Path.Combine(_data.Path, $"policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, text);
        return file;
    }

    [Fact]
    public async Task MinimumMicrovm_OnAHostWithoutKvm_FailsNamingDevKvm_AndCreatesNothing()
    {
        var result = await Cli.RunAsync(_data.Path, "create", "--policy", PolicyFile("isolation: { minimum: microvm }\n"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("at least 'microvm'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/dev/kvm", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
    }

    [Fact]
    public async Task MinimumMicrovm_WithTcgAllowedForAutoByConfiguration_BootsTheMicrovm()
    {
        var policy = PolicyFile("isolation: { minimum: microvm }\n");
        var result = await Cli.RunAsync(_data.Path, ["run", "--policy", policy, "--", "uname", "-r"], new Dictionary<string, string> { ["AIRLOCK_MICROVM_TCG"] = "auto" }, TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), result.Stdout.Trim());
        Assert.Contains("(microvm; auto:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("policy minimum microvm", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MinimumGvisor_RefusesAnExplicitContainer_AndAutoGetsGvisorWithThePolicysMemory()
    {
        var policy = PolicyFile("isolation:\n  minimum: gvisor\nlimits: { memory: 128m }\n");
        var refused = await Cli.RunAsync(_data.Path, "run", "--isolation", "container", "--policy", policy, "--", "true");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("weaker than the policy's minimum 'gvisor'", refused.Stderr, StringComparison.Ordinal);

        var created = await Cli.RunAsync(_data.Path, "create", "--policy", policy, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var info = System.Text.Json.JsonDocument.Parse(created.Stdout);
        var id = info.RootElement.GetProperty("id").GetString()!;
        try
        {
            Assert.Equal("gvisor", info.RootElement.GetProperty("isolation").GetString());
            Assert.Contains("policy minimum gvisor", info.RootElement.GetProperty("isolationReason").GetString(), StringComparison.Ordinal);
            var memTotal = await Cli.RunAsync(_data.Path, "exec", id, "--", "head", "-1", "/proc/meminfo");
            Assert.Contains("131072 kB", memTotal.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", id);
        }
    }

    [Fact]
    public async Task AMalformedPolicyFile_ExitsTwo_NamingFileLineAndField()
    {
        var policy = PolicyFile("isolation: { minimum: kvm }\nlimits: { memory: 5x }\n");
        var result = await Cli.RunAsync(_data.Path, "run", "--policy", policy, "--", "true");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{policy}:1:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("isolation.minimum", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{policy}:2:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("limits.memory", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ExecRate_RefusesTheCommandOverTheLimit_With429Semantics_AndNamesTheRule()
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--isolation", "container", "--policy", PolicyFile("limits: { exec_rate: 3/1m }\n"));
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var ok = await Cli.RunAsync(_data.Path, "exec", id, "--", "true");
                Assert.True(ok.ExitCode == 0, ok.ToString());
            }

            var refused = await Cli.RunAsync(_data.Path, "exec", id, "--", "true");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("limits.exec_rate: 3/1m", refused.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", id);
        }
    }
}
