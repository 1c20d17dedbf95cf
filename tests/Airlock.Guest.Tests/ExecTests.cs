using System.Diagnostics;
using System.Text;

namespace Airlock.Guest.Tests;

public sealed class ExecTests : IClassFixture<AgentFixture>
{
    private readonly AgentFixture _agent;

    public ExecTests(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task Ping_ReportsVersionAndTheAgentsPid()
    {
        var hello = await _agent.Client.PingAsync();
        Assert.Equal("1", hello.Version);
        Assert.Equal(_agent.Agent.Id, hello.Pid);
    }

    [Fact]
    public async Task Exec_Echo_StreamsStdoutAndExitsZero()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "echo", "hello", "world");
        Assert.Equal("hello world\n", run.Stdout);
        Assert.Equal("", run.Stderr);
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Null(run.Result.Signal);
        Assert.IsType<ExecExited>(run.Events[^1]);
    }

    [Fact]
    public async Task Exec_WhenCommandExitsNonZero_ReportsItsExitCode()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "exit 3");
        Assert.Equal(3, run.Result.ExitCode);
    }

    [Fact]
    public async Task Exec_KeepsStdoutAndStderrSeparate()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "echo out; echo err >&2; echo out2");
        Assert.Equal("out\nout2\n", run.Stdout);
        Assert.Equal("err\n", run.Stderr);
    }

    [Fact]
    public async Task Exec_WhenKilledBySignal_Reports128PlusSignal()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "kill -TERM $$");
        Assert.Equal(143, run.Result.ExitCode);
        Assert.Equal(15, run.Result.Signal);
        Assert.Null(run.Result.KilledBy);
    }

    [Fact]
    public async Task Exec_WithStdin_FeedsItAndClosesIt()
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes("line one\nline two\n"));
        var run = await ExecCapture.RunAsync(_agent.Client, new ExecRequest { Command = ["cat"], Stdin = stdin });
        Assert.Equal("line one\nline two\n", run.Stdout);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Exec_WithoutStdin_GivesAnEmptyStdin()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "cat");
        Assert.Equal("", run.Stdout);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Exec_WithLargeStdin_StreamsItAll()
    {
        byte[] data = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(data);
        using var stdin = new MemoryStream(data);
        var run = await ExecCapture.RunAsync(_agent.Client, new ExecRequest { Command = ["wc", "-c"], Stdin = stdin });
        Assert.Equal(data.Length.ToString(), run.Stdout.Trim());
    }

    [Fact]
    public async Task Exec_Env_LayersRequestOverDefaultsAndSandboxEnv()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, new ExecRequest
        {
            Command = ["sh", "-c", "echo $FOO/$HOME/$LANG/$TERM/$AIRLOCK_SANDBOX_VAR; echo $PATH"],
            Env = new Dictionary<string, string> { ["FOO"] = "bar", ["TERM"] = "dumb" },
        });
        string[] lines = run.Stdout.Split('\n');
        Assert.Equal("bar//root/C.UTF-8/dumb/from-agent-env", lines[0]);
        Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", lines[1]);
    }

    [Fact]
    public async Task Exec_Cwd_DefaultsToWorkspaceAndHonoursRequest()
    {
        Directory.CreateDirectory(_agent.HostPath("/srv/app"));
        var byDefault = await ExecCapture.RunAsync(_agent.Client, "pwd");
        var requested = await ExecCapture.RunAsync(_agent.Client, new ExecRequest { Command = ["pwd"], Cwd = "/srv/app" });
        Assert.Equal(_agent.HostPath("/workspace"), byDefault.Stdout.Trim());
        Assert.Equal(_agent.HostPath("/srv/app"), requested.Stdout.Trim());
    }

    [Fact]
    public async Task Exec_WhenCwdMissing_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => ExecCapture.RunAsync(_agent.Client, new ExecRequest { Command = ["pwd"], Cwd = "/no/such/dir" }));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Exec_WhenCommandNotFound_Returns127WithMessage()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "no-such-command-xyz", "arg");
        Assert.Equal(127, run.Result.ExitCode);
        Assert.Equal("airlock: no-such-command-xyz: command not found\n", run.Stderr);
    }

    [Fact]
    public async Task Exec_WhenFileIsNotExecutable_Returns126()
    {
        string script = _agent.HostPath("/workspace/not-exec.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho hi\n");
        var run = await ExecCapture.RunAsync(_agent.Client, script);
        Assert.Equal(126, run.Result.ExitCode);
        Assert.Contains("Permission denied", run.Stderr);
    }

    [Fact]
    public async Task Exec_WhenTheExecItselfFails_Returns126AndLeavesNoChildBehind()
    {
        // Executable, but neither ELF nor a script: only execve(2) finds out (ENOEXEC), inside the spawned child.
        string file = _agent.HostPath("/workspace/not-a-program");
        await File.WriteAllBytesAsync(file, [0x7f, 0x00, 0x01, 0x02, 0x03]);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var run = await ExecCapture.RunAsync(_agent.Client, file);
        Assert.Equal(126, run.Result.ExitCode);
        Assert.Equal($"airlock: {file}: Exec format error\n", run.Stderr);

        var next = await ExecCapture.RunAsync(_agent.Client, "echo", "still serving");
        Assert.Equal("still serving\n", next.Stdout);
        Assert.True(SpinWait.SpinUntil(() => ChildrenOf(_agent.Agent.Id).Length == 0, TimeSpan.FromSeconds(3)), $"the agent still has children: {string.Join(", ", ChildrenOf(_agent.Agent.Id))}");
    }

    private static string[] ChildrenOf(int pid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => (Pid: name!, Stat: TryRead($"/proc/{name}/stat")))
            .Where(p => p.Stat is { } stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => $"{p.Pid} ({p.Stat![(p.Stat.LastIndexOf(')') + 2)]})")];

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Exec_WhenTimeoutPasses_KillsGroupAndReturns124()
    {
        var clock = Stopwatch.StartNew();
        var run = await ExecCapture.RunAsync(_agent.Client, new ExecRequest
        {
            Command = ["sh", "-c", "sleep 100 & echo $!; sleep 100"],
            Timeout = TimeSpan.FromSeconds(1),
        });
        clock.Stop();
        int background = int.Parse(run.Stdout.Trim());
        try
        {
            Assert.Equal(124, run.Result.ExitCode);
            Assert.Equal(ExecResult.Limits.Timeout, run.Result.KilledBy);
            Assert.Equal(9, run.Result.Signal);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 2.5);
            Assert.True(Syscall.WaitGone(background, TimeSpan.FromSeconds(3)), "the command's background child survived the timeout kill");
        }
        finally
        {
            Syscall.KillIfAlive(background);
        }
    }

    [Fact]
    public async Task Exec_WhenBackgroundChildKeepsPipesOpen_ReturnsPromptly()
    {
        var clock = Stopwatch.StartNew();
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "sleep 100 & echo $!; echo hi");
        clock.Stop();
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int background = int.Parse(lines[0]);
        try
        {
            Assert.Equal("hi", lines[1]);
            Assert.Equal(0, run.Result.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"exec took {clock.Elapsed}");
        }
        finally
        {
            Syscall.KillIfAlive(background);
        }
    }

    [Fact]
    public async Task Exec_WhenHostClosesConnection_KillsTheCommand()
    {
        int pid = 0;
        await foreach (ExecEvent e in _agent.Client.ExecAsync(new ExecRequest { Command = ["sh", "-c", "echo $$; exec sleep 100"] }))
        {
            if (e is ExecOutput o)
            {
                pid = int.Parse(Encoding.UTF8.GetString(o.Data.Span).Trim());
                break; // abandons the exec: the client closes the connection
            }
        }

        try
        {
            Assert.NotEqual(0, pid);
            Assert.True(Syscall.WaitGone(pid, TimeSpan.FromSeconds(3)), "the command outlived its connection");
        }
        finally
        {
            Syscall.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task Exec_WhenCancelled_KillsTheCommand()
    {
        using var cancel = new CancellationTokenSource();
        int pid = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ExecEvent e in _agent.Client.ExecAsync(new ExecRequest { Command = ["sh", "-c", "echo $$; exec sleep 100"] }, cancel.Token))
            {
                if (e is ExecOutput o)
                {
                    pid = int.Parse(Encoding.UTF8.GetString(o.Data.Span).Trim());
                    await cancel.CancelAsync();
                }
            }
        });

        try
        {
            Assert.True(Syscall.WaitGone(pid, TimeSpan.FromSeconds(3)), "the command outlived its cancelled exec");
        }
        finally
        {
            Syscall.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task Exec_OrphanedGrandchildren_AreReapedNotLeftAsZombies()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "sleep 0.2 & echo $!");
        int orphan = int.Parse(run.Stdout.Trim());
        try
        {
            Assert.True(Syscall.WaitGone(orphan, TimeSpan.FromSeconds(3)), $"pid {orphan} is still there in state {Syscall.State(orphan)}");
        }
        finally
        {
            Syscall.KillIfAlive(orphan);
        }
    }

    [Fact]
    public async Task Exec_CommandsDoNotInheritAgentFdsOrIgnoredSigpipe()
    {
        // Only 0, 1, 2 (and the fd ls itself opens) may be open; nothing ignored (the runtime ignores SIGPIPE) nor blocked.
        var fds = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "ls -l /proc/self/fd >&2; ls /proc/self/fd | wc -l; grep -E '^Sig(Ign|Blk)' /proc/self/status");
        string[] lines = fds.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines[0].Trim() == "4", fds.Stderr);
        Assert.Equal(["SigBlk:\t0000000000000000", $"SigIgn:\t{AgentFixture.SpawnIgnoredSignals:x16}"], lines[1..].Order());
    }

    [Fact]
    public async Task Exec_RunsEachCommandInItsOwnSession()
    {
        var run = await ExecCapture.RunAsync(_agent.Client, "sh", "-c", "echo $$; ps -o sid= -p $$ 2>/dev/null || cut -d' ' -f6 /proc/$$/stat");
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0].Trim(), lines[1].Trim());
    }

    [Fact]
    public async Task Exec_ManyConcurrentCommands_AllComplete()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ExecCapture.RunAsync(_agent.Client, "sh", "-c", $"echo {i}; exit {i % 5}")));
        for (int i = 0; i < runs.Length; i++)
        {
            Assert.Equal($"{i}\n", runs[i].Stdout);
            Assert.Equal(i % 5, runs[i].Result.ExitCode);
        }
    }
}
