using System.Diagnostics;

namespace Airlock.Guest.Tests;

public sealed class AgentLifecycleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("airlock-agent-life-").FullName;

    [Fact]
    public void Agent_WithTtl_ExitsWithStatusZeroWhenItPasses()
    {
        using Process agent = Start("--ttl-seconds", "1");
        Assert.True(agent.WaitForExit(5000), "the agent outlived its TTL");
        Assert.Equal(0, agent.ExitCode);
    }

    [Fact]
    public async Task Agent_OnSigterm_ExitsCleanlyAndRemovesItsSocket()
    {
        string socket = Path.Combine(_dir, "agent.sock");
        await File.WriteAllTextAsync(socket, "stale"); // a leftover from an earlier run must not stop it
        using Process agent = Start();
        try
        {
            await WaitForSocketAsync(socket);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
            Syscall.Kill(agent.Id, 15);
            Assert.True(agent.WaitForExit(5000), "the agent ignored SIGTERM");
            Assert.Equal(0, agent.ExitCode);
            Assert.False(File.Exists(socket));
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill();
            }
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Process Start(params string[] extra)
    {
        var start = new ProcessStartInfo(AgentFixture.AgentPath) { ArgumentList = { "serve", "--socket", Path.Combine(_dir, "agent.sock"), "--root", _dir } };
        foreach (string arg in extra)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task WaitForSocketAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                await Airlock.Guest.Protocol.GuestClient.ForUnixSocket(path).PingAsync();
                return;
            }
            catch (AirlockException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException("the agent did not start listening");
    }
}
