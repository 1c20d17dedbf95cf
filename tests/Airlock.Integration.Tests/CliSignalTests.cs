using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>SIGTERM (what a service manager or CI runner sends) ends a long verb cleanly: its sandboxes destroyed, exit 130.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CliSignalTests : IDisposable
{
    private readonly TempDataDir _data = new();
    private string? _temp;

    [Fact]
    public Task Run_OnSigterm_DestroysItsSandbox_AndExits130() => RunThenTerminateAsync("container", wholeGroup: false);

    /// <summary>
    /// What a service manager or a terminal's Ctrl-C does: the signal reaches every process of the group. runsc's sandbox
    /// processes used to start in that group and died with it, so the exec failed before the CLI could clean up.
    /// </summary>
    [Fact]
    public Task Run_OnSigtermToItsWholeProcessGroup_StillDestroysItsGvisorSandbox_AndExits130() => RunThenTerminateAsync("gvisor", wholeGroup: true);

    private async Task RunThenTerminateAsync(string tier, bool wholeGroup)
    {
        var start = Cli.StartInfo(_data.Path, ["run", "--isolation", tier, "--", "sh", "-c", "echo started; exec sleep 120"]);
        if (wholeGroup)
        {
            // A group of its own to signal (setsid execs in place: the pid is the CLI's and the group's).
            start.ArgumentList.Insert(0, start.FileName);
            start.FileName = "setsid";
        }

        using var process = Process.Start(start)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.Equal("started", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)));

            if (wholeGroup)
            {
                // The sandbox's own processes (runsc's sandbox and gofer) must not be in the group a signal would reach.
                Assert.Equal([process.Id], GroupMembers(process.Id));
            }

            Terminate(wholeGroup ? -process.Id : process.Id);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {await stderr}");
            Assert.Contains("interrupted; destroying the sandbox", await stderr, StringComparison.Ordinal);
            Assert.Equal("[]", (await Cli.RunAsync(_data.Path, "ps", "--json")).Stdout.Trim());
            Assert.Empty(HostProbe.MountsUnder(_data.Path));
            Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
        }
        finally
        {
            // A failed assertion must not leave the CLI and its sandbox running: ask it to stop, as a user would.
            if (!process.HasExited)
            {
                Terminate(process.Id);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
    }

    [Fact]
    public async Task RedTeam_OnSigterm_CleansUpTheCaseUnderWay_AndExits130()
    {
        // The battery keeps its engine's data under TMPDIR: point that at a directory of the test's own to see it go
        // (traversable, as the sandboxes' mapped root must reach their bundles through it).
        var temp = Directory.CreateTempSubdirectory("airlock-it-tmp-").FullName;
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        _temp = temp;
        using var process = Process.Start(Cli.StartInfo(_data.Path, ["redteam", "--isolation", "container", "--only", "privilege", "--json"], new Dictionary<string, string> { ["TMPDIR"] = temp }))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            var seen = new List<string>();
            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                // One case judged: the next one's sandbox is being made or attacked when the signal lands.
                while (await process.StandardError.ReadLineAsync(limit.Token) is { } line)
                {
                    seen.Add(line);
                    if (line.Contains(" contained ", StringComparison.Ordinal)) break;
                }
            }

            Assert.True(Directory.EnumerateDirectories(temp, "airlock-redteam-*").Any(), string.Join("\n", seen) + (process.HasExited ? await stdout : ""));
            Assert.DoesNotContain(seen, l => l.Contains(" inconclusive ", StringComparison.Ordinal));
            Terminate(process.Id);
            var rest = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {string.Join("\n", seen)}\n{rest}\n{await stdout}");
            Assert.Contains("interrupted", rest, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
            Assert.DoesNotContain(temp, await RuncBundlesAsync(), StringComparison.Ordinal);
        }
        finally
        {
            // A failed assertion must not leave the battery attacking: ask it to stop, as a user would.
            if (!process.HasExited)
            {
                Terminate(process.Id);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            }
        }
    }

    /// <summary>The pids whose process group is <paramref name="group"/> (field 5 of /proc/PID/stat).</summary>
    private static List<int> GroupMembers(int group)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) == group) members.Add(pid);
            }
            catch (IOException)
            {
                // Exited while listed.
            }
        }

        return members;
    }

    /// <summary>SIGTERM to <paramref name="pid"/>, or to the process group -<paramref name="pid"/> when negative.</summary>
    private static void Terminate(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", "--", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<string> RuncBundlesAsync()
    {
        using var list = Process.Start(new ProcessStartInfo("runc", ["list", "--format", "json"]) { RedirectStandardOutput = true })!;
        var text = await list.StandardOutput.ReadToEndAsync();
        await list.WaitForExitAsync();
        return text;
    }

    public void Dispose()
    {
        // Empty when the battery cleaned up (the test asserts it); left for inspection otherwise.
        if (_temp is not null && !Directory.EnumerateFileSystemEntries(_temp).Any()) Directory.Delete(_temp);
        _data.Dispose();
    }
}
