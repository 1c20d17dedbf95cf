using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Tests.Mux;

/// <summary>The existing GuestClient, unchanged, through the host bridge and one multiplexed stream.</summary>
public abstract class BridgedAgentTests<TFixture>
    where TFixture : BridgedAgentFixture
{
    protected BridgedAgentTests(TFixture fixture)
    {
        Fixture = fixture;
    }

    protected TFixture Fixture { get; }

    [Fact]
    public async Task Ping_AnswersFromTheAgentBehindTheBridge()
    {
        GuestHello hello = await Fixture.Client.PingAsync();
        Assert.Equal(Fixture.Agent.Id, hello.Pid);
        Assert.Equal($"{Fixture.Bridge.Id}\n", await File.ReadAllTextAsync(Fixture.PidFile));
    }

    [Fact]
    public async Task Exec_StreamsStdoutAndStderrAndReportsTheExitCode()
    {
        var run = await ExecCapture.RunAsync(Fixture.Client, "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal("out\n", run.Stdout);
        Assert.Equal("err\n", run.Stderr);
        Assert.Equal(3, run.Result.ExitCode);
    }

    [Fact]
    public async Task Exec_WithStdin_FeedsItThroughTheBridge()
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes("through the bridge\n"));
        var run = await ExecCapture.RunAsync(Fixture.Client, new ExecRequest { Command = ["cat"], Stdin = stdin });
        Assert.Equal("through the bridge\n", run.Stdout);
    }

    [Fact]
    public async Task Exec_WhenTimeoutPasses_Returns124()
    {
        var run = await ExecCapture.RunAsync(Fixture.Client, new ExecRequest { Command = ["sleep", "100"], Timeout = TimeSpan.FromSeconds(1) });
        Assert.Equal(124, run.Result.ExitCode);
        Assert.Equal(ExecResult.Limits.Timeout, run.Result.KilledBy);
    }

    [Fact]
    public async Task Exec_WhenHostAbandonsIt_KillsTheCommand()
    {
        int pid = 0;
        await foreach (ExecEvent e in Fixture.Client.ExecAsync(new ExecRequest { Command = ["sh", "-c", "echo $$; exec sleep 100"] }))
        {
            if (e is ExecOutput o)
            {
                pid = int.Parse(Encoding.UTF8.GetString(o.Data.Span).Trim());
                break; // closes the connection to the bridge, which closes the channel
            }
        }

        try
        {
            Assert.NotEqual(0, pid);
            Assert.True(Syscall.WaitGone(pid, TimeSpan.FromSeconds(5)), "the command outlived its abandoned exec");
        }
        finally
        {
            Syscall.KillIfAlive(pid);
        }
    }

    [Fact]
    public async Task File_50Megabytes_RoundTripsWhileSmallOperationsStayFast()
    {
        byte[] data = RandomNumberGenerator.GetBytes(50 * 1024 * 1024);
        Task transfer = Task.Run(async () =>
        {
            await Fixture.Client.WriteFileAsync("/workspace/big.bin", new MemoryStream(data));
            await using Stream read = await Fixture.Client.ReadFileAsync("/workspace/big.bin");
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.True(data.AsSpan().SequenceEqual(copy.ToArray()), "the file came back different");
        });

        while (!transfer.IsCompleted)
        {
            var clock = Stopwatch.StartNew();
            await Fixture.Client.PingAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"a ping took {clock.Elapsed} beside the transfer");
            await Task.Delay(50);
        }

        await transfer.WaitAsync(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task ManyConcurrentOperations_AllSucceed()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => ExecCapture.RunAsync(Fixture.Client, "echo", i.ToString())));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => $"{i}\n"), runs.Select(r => r.Stdout));
    }

    [Fact]
    public async Task Bridge_WhenRestarted_GetsANewSessionAndOperationsWaitForIt()
    {
        int before = Fixture.Bridge.Id;
        Fixture.RestartBridge();
        Assert.NotEqual(before, Fixture.Bridge.Id);

        // Sent at once: it waits in the new bridge until the guest side of the session is up again.
        var run = await ExecCapture.RunAsync(Fixture.Client, "echo", "again").WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("again\n", run.Stdout);
    }
}
