using System.Globalization;

namespace Airlock.Core.Backends;

/// <summary>
/// Reads a <see cref="ResourceUsage"/> from a sandbox's cgroup directories, whichever version holds each controller:
/// CPU from v1 <c>cpuacct.usage</c> (ns) or v2 <c>cpu.stat usage_usec</c>; memory from v1
/// <c>memory.usage_in_bytes</c> or v2 <c>memory.current</c>, minus <c>inactive_file</c> (cAdvisor's working set),
/// so a sandbox that merely wrote files does not read as "memory at the limit".
/// </summary>
public static class CgroupUsage
{
    /// <summary>Null when none of the directories has the files (the sandbox is gone).</summary>
    public static ResourceUsage? Read(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        long? cpu = null, memory = null;
        foreach (var directory in directories)
        {
            if (ReadNumber(Path.Combine(directory, "cpuacct.usage")) is { } v1Cpu) cpu ??= v1Cpu;
            if (ReadKey(Path.Combine(directory, "cpu.stat"), "usage_usec") is { } v2Cpu) cpu ??= v2Cpu * 1000;
            var usage = ReadNumber(Path.Combine(directory, "memory.usage_in_bytes")) ?? ReadNumber(Path.Combine(directory, "memory.current"));
            if (usage is { } bytes)
            {
                var stat = Path.Combine(directory, "memory.stat");
                var inactive = ReadKey(stat, "total_inactive_file") ?? ReadKey(stat, "inactive_file") ?? 0;
                memory ??= Math.Max(0, bytes - inactive);
            }
        }

        return cpu is null && memory is null ? null : new ResourceUsage(cpu ?? 0, memory ?? 0);
    }

    private static long? ReadNumber(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
