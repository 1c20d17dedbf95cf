namespace Airlock.Integration.Tests;

[Collection(SandboxCollection.Name)]
public sealed class CliRunTests : IDisposable
{
    private readonly TempDataDir _data = new();

    [Fact]
    public async Task Run_PrintsTheCommandsOutput_AndExitsZero()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--", "python3", "-c", "print('hello from a sandbox')");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello from a sandbox\n", result.Stdout);
    }

    [Fact]
    public async Task Run_ExitsWithTheCommandsExitCode()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--", "sh", "-c", "exit 7");
        Assert.True(result.ExitCode == 7, result.ToString());
    }

    [Fact]
    public async Task Run_KeepsStdoutAndStderrApart()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--", "sh", "-c", "echo out; echo err >&2");
        Assert.Equal("out\n", result.Stdout);
        Assert.Contains("err\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LeavesNothingBehindOnTheHost()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--", "true");
        Assert.Equal(0, result.ExitCode);
        var ps = await Cli.RunAsync(_data.Path, "ps", "--json");
        Assert.Equal("[]", ps.Stdout.Trim());
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(HostProbe.LoopDevicesUnder(_data.Path));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
    }

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Run_WithATimeout_KillsTheCommandWithin4Seconds_AndExits124(string tier)
    {
        // 100.7 rather than 100: other test assemblies, running in parallel, sleep 100 in their own processes.
        var result = await Cli.RunAsync(_data.Path, "run", "--isolation", tier, "--timeout", "2s", "--", "sleep", "100.7");
        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Contains("timeout", result.Stderr, StringComparison.Ordinal);
        // A microVM under TCG takes seconds to boot before the command starts; the 4 s are the command's (see the exec test).
        if (tier != "microvm") Assert.True(result.Elapsed < TimeSpan.FromSeconds(4) + CliStartup, result.ToString());
        Assert.Empty(HostProbe.ProcessesWith("sleep 100.7"));
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "microvm") + "/"));
        Assert.Empty(HostProbe.ProcessesWith(Path.Combine(_data.Path, "sandboxes") + "/"));
    }

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Exec_WithATimeout_ReturnsWithin4Seconds_WithExit124_AndTheSandboxLivesOn(string tier)
    {
        var created = await Cli.RunAsync(_data.Path, ["create", "--isolation", tier], null, TimeSpan.FromMinutes(3));
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            var result = await Cli.RunAsync(_data.Path, "exec", "--timeout", "2s", id, "--", "sleep", "100.8");
            Assert.True(result.ExitCode == 124, result.ToString());
            Assert.True(result.Elapsed < TimeSpan.FromSeconds(4) + CliStartup, result.ToString());
            Assert.Contains("timeout", result.Stderr, StringComparison.Ordinal);
            var after = await Cli.RunAsync(_data.Path, "exec", id, "--", "sh", "-c", "ps -eo args | grep -c '^sleep 100.8' || true");
            Assert.Equal("0", after.Stdout.Trim());
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", id);
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    [Fact]
    public async Task Run_BackgroundProcessesStartedWithSetsidOrNohup_DoNotOutliveTheSandbox()
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--", "sh", "-c", "setsid sleep 4242 & nohup sleep 4243 >/dev/null 2>&1 & echo started");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("started\n", result.Stdout);
        Assert.Empty(HostProbe.ProcessesWith("sleep 4242"));
        Assert.Empty(HostProbe.ProcessesWith("sleep 4243"));
    }

    [Fact]
    public async Task Create_PrintsTheIdAlone_ThenExecPsAndRmWork()
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--label", "suite=cli");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        Assert.Matches("^[a-f0-9]{12}$", id);
        Assert.Equal(id + "\n", created.Stdout);
        try
        {
            var exec = await Cli.RunAsync(_data.Path, "exec", id, "--", "sh", "-c", "echo $((6*7)) > /workspace/x; cat /workspace/x; exit 3");
            Assert.Equal(3, exec.ExitCode);
            Assert.Equal("42\n", exec.Stdout);

            var ps = await Cli.RunAsync(_data.Path, "ps", "--label", "suite=cli", "--json");
            Assert.Contains(id, ps.Stdout, StringComparison.Ordinal);
            var none = await Cli.RunAsync(_data.Path, "ps", "--label", "suite=other", "--json");
            Assert.DoesNotContain(id, none.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            var rm = await Cli.RunAsync(_data.Path, "rm", id);
            Assert.True(rm.ExitCode == 0, rm.ToString());
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    [Fact]
    public async Task Create_WithATtl_IsDestroyedOnceItExpires_EvenWithNoDaemonRunning()
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--timeout", "2s");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        // The agent ended the sandbox at its TTL; the next engine start (any CLI call) removes what is left.
        var ps = await Cli.RunAsync(_data.Path, "ps", "--json");
        Assert.DoesNotContain(id, ps.Stdout, StringComparison.Ordinal);
        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
        var exec = await Cli.RunAsync(_data.Path, "exec", id, "--", "true");
        Assert.Equal(2, exec.ExitCode);
    }

    /// <summary>The dotnet host's own start-up, which a user of the installed CLI would not pay twice.</summary>
    private static readonly TimeSpan CliStartup = TimeSpan.FromSeconds(3);

    public void Dispose() => _data.Dispose();
}
