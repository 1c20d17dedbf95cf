using System.Diagnostics;
using System.Text;

namespace Airlock.Guest.Tests;

public sealed class ProcessTests : IClassFixture<AgentFixture>
{
    private readonly AgentFixture _agent;

    public ProcessTests(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task StartListOutputSignal_ManageABackgroundProcess()
    {
        ProcessInfo started = await _agent.Client.StartProcessAsync(new ExecRequest { Command = ["sh", "-c", "echo started; echo oops >&2; exec sleep 100"] });
        try
        {
            Assert.True(started.Running);
            Assert.Contains(await _agent.Client.ListProcessesAsync(), p => p.Pid == started.Pid && p.Running);

            ProcessOutput output = await PollAsync(() => _agent.Client.GetProcessOutputAsync(started.Pid), o => o.Stderr.Length > 0);
            Assert.Equal("started\n", Encoding.UTF8.GetString(output.Stdout));
            Assert.Equal("oops\n", Encoding.UTF8.GetString(output.Stderr));

            await _agent.Client.SignalProcessAsync(started.Pid, 15);
            ProcessInfo ended = (await PollAsync(() => _agent.Client.GetProcessOutputAsync(started.Pid), o => !o.Process.Running)).Process;
            Assert.Equal(143, ended.ExitCode);
            Assert.True(Syscall.WaitGone(started.Pid, TimeSpan.FromSeconds(3)));
        }
        finally
        {
            Syscall.KillIfAlive(started.Pid);
        }
    }

    [Fact]
    public async Task Start_WithStdin_DeliversIt()
    {
        ProcessInfo started = await _agent.Client.StartProcessAsync(new ExecRequest { Command = ["cat"], Stdin = new MemoryStream("piped"u8.ToArray()) });
        try
        {
            ProcessOutput output = await PollAsync(() => _agent.Client.GetProcessOutputAsync(started.Pid), o => !o.Process.Running);
            Assert.Equal("piped", Encoding.UTF8.GetString(output.Stdout));
            Assert.Equal(0, output.Process.ExitCode);
        }
        finally
        {
            Syscall.KillIfAlive(started.Pid);
        }
    }

    [Fact]
    public async Task Output_KeepsOnlyTheLastMegabytePerStream()
    {
        ProcessInfo started = await _agent.Client.StartProcessAsync(new ExecRequest { Command = ["sh", "-c", "head -c 3000000 /dev/zero; echo END"] });
        ProcessOutput output = await PollAsync(() => _agent.Client.GetProcessOutputAsync(started.Pid), o => !o.Process.Running && o.Stdout.Length > 0 && o.Stdout[^1] == (byte)'\n');
        Assert.Equal(1024 * 1024, output.Stdout.Length);
        Assert.EndsWith("END\n", Encoding.ASCII.GetString(output.Stdout[^8..]));
    }

    [Fact]
    public async Task UnknownPid_IsNotFound()
    {
        var output = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.GetProcessOutputAsync(999_999));
        var signal = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.SignalProcessAsync(999_999, 15));
        Assert.Equal(AirlockErrorKind.NotFound, output.Kind);
        Assert.Equal(AirlockErrorKind.NotFound, signal.Kind);
    }

    [Fact]
    public async Task Start_WhenCommandNotFound_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.StartProcessAsync(new ExecRequest { Command = ["no-such-command-xyz"] }));
        Assert.Equal(AirlockErrorKind.NotFound, e.Kind);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> get, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await get();
            if (done(value) || clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                return value;
            }

            await Task.Delay(25);
        }
    }
}
