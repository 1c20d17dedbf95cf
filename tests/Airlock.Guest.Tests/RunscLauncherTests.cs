using System.Diagnostics;
using System.Globalization;
using Airlock.Guest.Bridge;

namespace Airlock.Guest.Tests;

/// <summary>
/// <c>airlock-agent runsc-exec</c>, the launch step of a gVisor sandbox, run for real as root: a cgroup and a scratch
/// directory of the test's own, a shell in place of runsc that writes what it sees to a file.
/// </summary>
public sealed class RunscLauncherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("airlock-runsc-exec-").FullName;
    // v1 (this machine's hybrid layout): the memory hierarchy; pure v2: the unified one.
    private readonly string _cgroup = Path.Combine(Directory.Exists("/sys/fs/cgroup/memory") ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup",
        "airlock-test-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_cgroup)) Directory.Delete(_cgroup);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Launch_JoinsTheCgroup_InItsOwnSession_AndShowsTheLimitAsMemTotal_OnlyToWhatItStarts()
    {
        Directory.CreateDirectory(_cgroup);
        var scratch = Directory.CreateDirectory(Path.Combine(_dir, "launch")).FullName;
        var seen = Path.Combine(_dir, "seen");
        var hostMemTotal = File.ReadLines("/proc/meminfo").First();

        var (exit, stderr) = await RunAsync(
            "runsc-exec", "--scratch", scratch, "--mem-total", (256L << 20).ToString(), "--cgroup", Path.Combine(_cgroup, "cgroup.procs"), "--",
            "/bin/sh", "-c", $"grep MemTotal /proc/meminfo > {seen}; tr '\\n' ' ' < /proc/self/cgroup >> {seen}; echo >> {seen}; ps -o sid= -p $$ >> {seen}; echo $$ >> {seen}; ls -l /proc/$$/fd/2 >> {seen}; while read -r p; do printf '%s ' $p; done < {Path.Combine(_cgroup, "cgroup.procs")} >> {seen}");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var lines = File.ReadAllLines(seen);
        Assert.Equal("MemTotal:           262144 kB", lines[0]);
        Assert.Contains(":/" + Path.GetFileName(_cgroup) + " ", lines[1], StringComparison.Ordinal);
        Assert.Equal(lines[3].Trim(), lines[2].Trim()); // session leader: its own session
        Assert.EndsWith("-> /dev/null", lines[4], StringComparison.Ordinal);
        Assert.Equal(lines[3].Trim(), lines[5].Trim()); // the whole process is in the cgroup (on v1 joined thread by thread); builtins read it, no child

        // The host saw none of it: its meminfo is its own and nothing is mounted at the scratch directory.
        Assert.Equal(hostMemTotal, File.ReadLines("/proc/meminfo").First());
        Assert.DoesNotContain(scratch, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
    }

    [Theory]
    [InlineData("--mem-total", "1048576", "--", "/bin/true")]
    [InlineData("--scratch", "relative", "--mem-total", "1048576", "--", "/bin/true")]
    [InlineData("--scratch", "/tmp", "--mem-total", "100", "--", "/bin/true")]
    [InlineData("--scratch", "/tmp", "--mem-total", "1048576", "--cgroup", "/sys/fs/cgroup/memory/tasks", "--", "/bin/true")]
    [InlineData("--scratch", "/tmp", "--mem-total", "1048576", "--")]
    [InlineData("--scratch", "/tmp", "--mem-total")]
    public async Task BadCommandLine_Exits2_WithTheUsage_AndRunsNothing(params string[] args)
    {
        var (exit, stderr) = await RunAsync(["runsc-exec", .. args]);

        Assert.Equal(2, exit);
        Assert.Contains("usage: " + RunscLauncher.Usage, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACgroupThatCannotBeJoined_Exits1_SayingWhich_BeforeAnythingRuns()
    {
        var marker = Path.Combine(_dir, "ran");
        var missing = Path.Combine(_cgroup, "cgroup.procs");

        var (exit, stderr) = await RunAsync("runsc-exec", "--scratch", _dir, "--mem-total", "1048576", "--cgroup", missing, "--", "/bin/touch", marker);

        Assert.Equal(1, exit);
        Assert.Contains("cannot join " + _cgroup, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Held_JoinsTheCgroupAtOnce_ButRunsNothingUntilTheGo()
    {
        var marker = Path.Combine(_dir, "ran");

        // Joined (with this process's start, what the hold overlaps) while the engine would still be making the disk...
        using var launcher = await StartHeldAndJoinedAsync(marker);
        await Task.Delay(200);
        Assert.False(launcher.HasExited);
        Assert.False(File.Exists(marker));

        // ...and runs the program only once told to.
        await launcher.StandardInput.WriteAsync("go\n");
        launcher.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await launcher.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, launcher.ExitCode);
        Assert.True(File.Exists(marker));
    }

    [Fact]
    public async Task Held_WhoseInputEndsWithoutTheGo_Exits3_AndRunsNothing()
    {
        var marker = Path.Combine(_dir, "ran");
        using var launcher = await StartHeldAndJoinedAsync(marker);

        launcher.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = await launcher.StandardError.ReadToEndAsync(timeout.Token);
        await launcher.WaitForExitAsync(timeout.Token);

        Assert.Equal(RunscLauncher.NotReleased, launcher.ExitCode);
        Assert.Contains("standard input ended before the go; nothing was started", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Equal("", File.ReadAllText(Path.Combine(_cgroup, "cgroup.procs")));
    }

    /// <summary>A held launcher of <c>touch MARKER</c>, once it sits in the test's cgroup.</summary>
    private async Task<Process> StartHeldAndJoinedAsync(string marker)
    {
        Directory.CreateDirectory(_cgroup);
        var start = new ProcessStartInfo(AgentFixture.AgentPath) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (string[])["runsc-exec", "--scratch", Directory.CreateDirectory(Path.Combine(_dir, "launch")).FullName, "--mem-total", "1048576",
            "--hold", "--cgroup", Path.Combine(_cgroup, "cgroup.procs"), "--", "/bin/touch", marker])
        {
            start.ArgumentList.Add(arg);
        }

        var launcher = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.ReadAllText(Path.Combine(_cgroup, "cgroup.procs")).Contains(launcher.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the launcher never joined the cgroup");
            await Task.Delay(10);
        }

        return launcher;
    }

    [Fact]
    public void MemInfo_StatesTheLimitInKilobytes_AsTheKernelPrintsIt()
    {
        var text = RunscLauncher.MemInfo(536_870_912);

        Assert.StartsWith("MemTotal:           524288 kB\nMemFree:            524288 kB\nMemAvailable:       524288 kB\n", text, StringComparison.Ordinal);
        Assert.Equal(7, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static async Task<(int Exit, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(AgentFixture.AgentPath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stderr);
    }
}
