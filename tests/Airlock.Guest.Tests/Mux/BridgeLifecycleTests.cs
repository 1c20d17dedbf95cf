using System.Diagnostics;

namespace Airlock.Guest.Tests.Mux;

public sealed class BridgeLifecycleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("airlock-bridge-life-").FullName;

    [Theory]
    [InlineData("bridge")]
    [InlineData("bridge", "--listen", "/tmp/x.sock")]
    [InlineData("bridge", "--listen", "/tmp/x.sock", "--connect", "/a", "--accept", "/b")]
    [InlineData("serve", "--serial", "/dev/a", "--dial", "/b")]
    public void BadArguments_ExitWithStatusTwo(params string[] args)
    {
        using Process process = Start(args);
        Assert.True(process.WaitForExit(10_000));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("usage:", process.StandardError.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bridge_OnSigterm_ExitsCleanlyRemovesItsFilesAndNeverWroteToStdout()
    {
        string host = Path.Combine(_dir, "host.sock"), pidFile = Path.Combine(_dir, "bridge.pid");
        using Process bridge = Start("bridge", "--listen", host, "--connect", Path.Combine(_dir, "absent.sock"), "--pid-file", pidFile);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(pidFile))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15) && !bridge.HasExited, "the bridge did not start");
                Thread.Sleep(10);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(host));
            Syscall.Kill(bridge.Id, 15);
            Assert.True(bridge.WaitForExit(5000), "the bridge ignored SIGTERM");
            Assert.Equal(0, bridge.ExitCode);
            Assert.False(File.Exists(host));
            Assert.False(File.Exists(pidFile));
            Assert.Equal("", bridge.StandardOutput.ReadToEnd());
            Assert.Equal("", bridge.StandardError.ReadToEnd());
        }
        finally
        {
            if (!bridge.HasExited)
            {
                bridge.Kill();
            }
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(AgentFixture.AgentPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
