using System.Text.Json;

namespace Airlock.Server.Tests;

/// <summary>The CLI with --host against the daemon's HTTP layer (in-memory engine); token read from --data's admin.token.</summary>
public sealed class CliAgainstDaemonTests
{
    private static string[] Remote(ServerFixture server, params string[] args) =>
        ["--host", server.Address.ToString(), "--data", Path.GetDirectoryName(server.TokenPath)!, .. args];

    [Fact]
    public async Task Run_StreamsOutput_ExitsWithCommandCode_AndDestroysSandbox()
    {
        await using var server = await ServerFixture.StartAsync();
        var (exit, io) = await CliHarness.RunAsync(Remote(server, "run", "--label", "t=1", "--", "script", "out:hello", "err:warn", "exit:7"));
        Assert.Equal(7, exit);
        Assert.Equal("hello", io.Stdout);
        Assert.Contains("warn", io.Stderr, StringComparison.Ordinal);
        Assert.Empty(await server.Client.ListSandboxesAsync());
    }

    [Theory]
    [InlineData("memory", 137, "command killed: memory limit (--memory 64m) exceeded")]
    [InlineData("pids", 137, "command killed: pids limit (--pids 64m) exceeded")]
    [InlineData("timeout", 124, "command killed: timeout (2s) exceeded")]
    public async Task Run_KilledByLimit_SaysWhich_AndExits(string limit, int code, string message)
    {
        await using var server = await ServerFixture.StartAsync();
        var flag = limit == "pids" ? "--pids" : "--memory";
        var value = limit == "pids" ? "64" : "64m";
        var (exit, io) = await CliHarness.RunAsync(Remote(server, "run", flag, value, "--timeout", "2s", "--", "script", "killed:" + limit));
        Assert.Equal(code, exit);
        Assert.Contains(message.Replace("64m) exceeded", limit == "pids" ? "64) exceeded" : "64m) exceeded", StringComparison.Ordinal), io.Stderr, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(62), server.Engine.LastSpec!.Ttl);
    }

    [Fact]
    public async Task CreatePsExecRm_ThroughTheDaemon()
    {
        await using var server = await ServerFixture.StartAsync();
        var (exit, io) = await CliHarness.RunAsync(Remote(server, "create", "--label", "team=x", "--timeout", "10m", "--memory", "1g"));
        Assert.Equal(0, exit);
        var id = io.Stdout.TrimEnd('\n');
        Assert.Equal(io.Stdout, id + "\n"); // the id alone
        Assert.Equal(TimeSpan.FromMinutes(10), server.Engine.LastSpec!.Ttl);
        Assert.Equal(1L << 30, server.Engine.LastSpec.Limits.MemoryBytes);

        (exit, io) = await CliHarness.RunAsync(Remote(server, "ps", "--json", "--label", "team=x"));
        Assert.Equal(0, exit);
        using (var doc = JsonDocument.Parse(io.Stdout))
        {
            Assert.Equal(id, doc.RootElement[0].GetProperty("id").GetString());
        }

        (exit, io) = await CliHarness.RunAsync(Remote(server, "ps"));
        Assert.Equal(0, exit);
        Assert.Contains(id, io.Stdout, StringComparison.Ordinal);
        Assert.Contains("team=x", io.Stdout, StringComparison.Ordinal);

        (exit, io) = await CliHarness.RunAsync(Remote(server, "exec", "-i", "--env", "A=1", id, "--", "script", "out:ok", "exit:0"));
        Assert.Equal(0, exit);
        Assert.Equal("ok", io.Stdout);
        Assert.Equal("stdin-bytes", System.Text.Encoding.UTF8.GetString(server.Engine.LastStdin!));
        Assert.Equal("1", server.Engine.LastExec!.Env["A"]);

        (exit, io) = await CliHarness.RunAsync(Remote(server, "rm", id, "nope"));
        Assert.Equal(2, exit);
        Assert.Equal(id + "\n", io.Stdout);
        Assert.Contains("rm nope: no sandbox 'nope'", io.Stderr, StringComparison.Ordinal);
        Assert.Empty(await server.Client.ListSandboxesAsync());
    }

    [Fact]
    public async Task Exec_UnknownSandbox_Exits2WithOneLine()
    {
        await using var server = await ServerFixture.StartAsync();
        var (exit, io) = await CliHarness.RunAsync(Remote(server, "exec", "nope", "--", "true"));
        Assert.Equal(2, exit);
        Assert.Equal("airlock: no sandbox 'nope'; see airlock ps\n", io.Stderr);
    }

    [Fact]
    public async Task Cp_FileUpAndDown_KeepsBytesAndMode()
    {
        await using var server = await ServerFixture.StartAsync();
        var sandbox = await server.Client.Operations.CreateAsync(new SandboxSpec());
        var dir = Directory.CreateTempSubdirectory("airlock-cp-").FullName;
        try
        {
            var local = Path.Combine(dir, "a.sh");
            await File.WriteAllBytesAsync(local, [1, 2, 3]);
            File.SetUnixFileMode(local, (UnixFileMode)0x1C0);
            var (exit, io) = await CliHarness.RunAsync(Remote(server, "cp", local, $"{sandbox.Id}:/w/a.sh"));
            Assert.True(exit == 0, io.Stderr);
            var entry = await server.Client.Operations.StatFileAsync(sandbox.Id, "/w/a.sh");
            Assert.Equal(0x1C0, entry.Mode);

            (exit, io) = await CliHarness.RunAsync(Remote(server, "cp", $"{sandbox.Id}:/w/a.sh", Path.Combine(dir, "b.sh")));
            Assert.True(exit == 0, io.Stderr);
            Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(dir, "b.sh")));
            Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(Path.Combine(dir, "b.sh")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task NoDaemon_IsExit1WithAdvice()
    {
        var (exit, io) = await CliHarness.RunAsync("--host", "http://127.0.0.1:1", "--data", "/nonexistent", "ps");
        Assert.Equal(2, exit); // no token for the host: the caller's to fix
        Assert.Contains("AIRLOCK_TOKEN", io.Stderr, StringComparison.Ordinal);
    }
}
