namespace Airlock.RedTeam.Host;

/// <summary>The host's process table, searched by command line.</summary>
internal static class HostProcesses
{
    public static IReadOnlyList<int> WithInCommandLine(string text)
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId) continue;
            var cmdline = HostFiles.ReadText(Path.Combine(directory, "cmdline"));
            if (cmdline is not null && cmdline.Contains(text, StringComparison.Ordinal)) pids.Add(pid);
        }

        return pids;
    }
}
