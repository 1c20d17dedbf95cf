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

    /// <summary>
    /// A command's task limit (its budget plus the agent's threads, RLIMIT_NPROC) holds from its first instruction: cat
    /// reads its own limits at once. Set after the spawn returned, a fork bomb that forked first filled the agent's own
    /// room, and the agent, unable to start a thread-pool thread, aborted (under gVisor the sandbox stopped with it).
    /// </summary>
    [Fact]
    public async Task Agent_WithChildTasks_StartsEachCommandUnderItsTaskLimit()
    {
        string socket = Path.Combine(_dir, "agent.sock");
        using Process agent = Start("--child-tasks", "10");
        try
        {
            await WaitForSocketAsync(socket);
            var run = await ExecCapture.RunAsync(Airlock.Guest.Protocol.GuestClient.ForUnixSocket(socket), "cat", "/proc/self/limits");

            Assert.Equal(0, run.Result.ExitCode);
            var fields = run.Stdout.Split('\n').Single(l => l.StartsWith("Max processes", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var soft = long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(fields[2], fields[3]);
            Assert.InRange(soft, 10 + 1, 10 + 200);
        }
        finally
        {
            if (!agent.HasExited) agent.Kill();
        }
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

    [Fact]
    public async Task Agent_StartedWithIgnoredSignals_StartsCommandsWithEverySignalAtItsDefault()
    {
        // A shell's `trap ''` ignores a signal, and an ignored signal survives exec: the agent inherits HUP, USR1, PIPE and
        // RTMIN+3 ignored, and its commands must not.
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        string socket = Path.Combine(_dir, "agent.sock");
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "trap '' HUP USR1 PIPE 37; exec \"$0\" serve --socket \"$1\" --root \"$2\"", AgentFixture.AgentPath, socket, _dir },
        };
        using Process agent = Process.Start(start)!;
        try
        {
            await WaitForSocketAsync(socket);
            var run = await ExecCapture.RunAsync(Airlock.Guest.Protocol.GuestClient.ForUnixSocket(socket), "sh", "-c", "grep -E '^Sig(Ign|Blk)' /proc/self/status");
            Assert.Equal(["SigBlk:\t0000000000000000", $"SigIgn:\t{AgentFixture.SpawnIgnoredSignals:x16}"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            string agentIgnores = File.ReadLines($"/proc/{agent.Id}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            Assert.NotEqual(0UL, Convert.ToUInt64(agentIgnores.Split(':')[1].Trim(), 16) & (1UL << 0 | 1UL << 9)); // the agent itself still ignores them
        }
        finally
        {
            Syscall.Kill(agent.Id, 15);
            if (!agent.WaitForExit(5000)) agent.Kill();
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
