using System.Diagnostics;
using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>
/// What integration runs that were killed left behind: their <see cref="TempDataDir"/>s never got disposed. A CI run cut
/// short by a machine restart (session 12) left a stopped runc container in runc's default root, with its overlay and
/// loop mounts. Swept once per test process, before its first data directory, and only what is provably a dead run's:
/// <list type="bullet">
/// <item>a data directory whose owner file names a process that is gone: its sandboxes are removed through the CLI
/// (whose engine also destroys host leftovers without a record), then the directory;</item>
/// <item>a runc container named airlock-* whose bundle lay in a test data directory that no longer exists:
/// <c>runc delete --force</c> (it also removes the container's cgroups).</item>
/// </list>
/// </summary>
internal static class StaleTestRuns
{
    public const string Prefix = "airlock-it-";
    public const string OwnerFile = "test-owner.pid";

    private static readonly Lazy<bool> Swept = new(() =>
    {
        Task.Run(SweepAsync).GetAwaiter().GetResult();
        return true;
    });

    public static void SweepOnce() => _ = Swept.Value;

    internal static async Task SweepAsync()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner).Trim(), out var pid) || Directory.Exists($"/proc/{pid}")) continue;
            var listed = await Cli.RunAsync(directory, "ps", "--all", "--json");
            if (listed.ExitCode == 0)
            {
                var ids = JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray();
                if (ids.Length > 0) await Cli.RunAsync(directory, ["rm", .. ids]);
            }

            if (HostProbe.MountsUnder(directory).Count == 0) Directory.Delete(directory, recursive: true);
        }

        foreach (var (id, bundle) in RuncContainers())
        {
            if (id.StartsWith("airlock-", StringComparison.Ordinal) && bundle.StartsWith(Path.Combine(Path.GetTempPath(), Prefix), StringComparison.Ordinal)
                && !Directory.Exists(bundle))
            {
                Run("runc", "delete", "--force", id);
            }
        }
    }

    private static IEnumerable<(string Id, string Bundle)> RuncContainers()
    {
        var json = Run("runc", "list", "--format", "json");
        if (json.Length == 0 || json == "null") return [];
        return JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("bundle").GetString()!)).ToList();
    }

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? stdout.Trim() : "";
    }
}
