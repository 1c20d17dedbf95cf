using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>SIGTERM (what a service manager or CI runner sends) ends a long verb cleanly: its sandboxes destroyed, exit 130.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CliSignalTests : IDisposable
{
    private readonly TempDataDir _data = new();
    private string? _temp;

    [Fact]
    public async Task Run_OnSigterm_DestroysItsSandbox_AndExits130()
    {
        using var process = Process.Start(Cli.StartInfo(_data.Path, ["run", "--isolation", "container", "--", "sh", "-c", "echo started; exec sleep 120"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.Equal("started", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        Terminate(process.Id);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {await stderr}");
        Assert.Contains("interrupted; destroying the sandbox", await stderr, StringComparison.Ordinal);
        Assert.Equal("[]", (await Cli.RunAsync(_data.Path, "ps", "--json")).Stdout.Trim());
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_data.Path, "sandboxes")));
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

    private static void Terminate(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
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
