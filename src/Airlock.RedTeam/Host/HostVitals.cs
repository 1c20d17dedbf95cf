using System.Globalization;

namespace Airlock.RedTeam.Host;

/// <summary>Host-wide counters a resource attack would move if it got past its sandbox's limits.</summary>
internal static class HostVitals
{
    /// <summary>Resident set size of a host process, from /proc/PID/status (VmRSS, kB).</summary>
    public static long? RssBytes(int pid) => HostFiles.Key($"/proc/{pid}/status", "VmRSS") * 1024;

    public static long? MemAvailableBytes() => HostFiles.Key("/proc/meminfo", "MemAvailable") * 1024;

    /// <summary>Tasks (threads) on the host: the last field of /proc/loadavg's "running/total".</summary>
    public static long? HostTasks()
    {
        var fields = HostFiles.ReadText("/proc/loadavg")?.Split(' ');
        return fields is { Length: >= 4 } && fields[3].Split('/') is [_, var total] && long.TryParse(total, out var n) ? n : null;
    }

    /// <summary>Open file handles on the host (the first field of /proc/sys/fs/file-nr).</summary>
    public static long? OpenFiles()
    {
        var fields = HostFiles.ReadText("/proc/sys/fs/file-nr")?.Split('\t', ' ');
        return fields is { Length: > 0 } && long.TryParse(fields[0], out var n) ? n : null;
    }

    public static int? FdCount(int pid)
    {
        try
        {
            return Directory.GetFiles($"/proc/{pid}/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Free bytes and free inodes of the filesystem holding <paramref name="path"/> (coreutils stat -f).</summary>
    public static async Task<(long FreeBytes, long FreeInodes)?> FileSystemFreeAsync(string path, CancellationToken cancellationToken)
    {
        var text = await HostCommand.OutputAsync("stat", ["-f", "--format=%a %S %d", path], cancellationToken);
        var parts = text?.Trim().Split(' ');
        if (parts is not { Length: 3 }) return null;
        var blocks = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var size = long.Parse(parts[1], CultureInfo.InvariantCulture);
        return (blocks * size, long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Bytes on disk under a host directory (allocated blocks, as du does), or null.</summary>
    public static async Task<long?> DiskUsageAsync(string path, CancellationToken cancellationToken)
    {
        var text = await HostCommand.OutputAsync("du", ["-s", "-x", "-B1", path], cancellationToken);
        return text?.Split('\t') is [var bytes, ..] && long.TryParse(bytes, out var n) ? n : null;
    }

    public static string Mib(long? bytes) => bytes is { } b ? $"{b / (1024.0 * 1024):0.#} MiB" : "unknown";
}
