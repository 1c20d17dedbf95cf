using System.Globalization;

namespace Airlock.Core.Doctor;

/// <summary>Pure readers of /proc and /sys text, kept apart from the file reads so they can be tested with any host's output.</summary>
internal static class HostProbes
{
    public const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>
    /// The cgroup layout from /proc/mounts: "v2" when /sys/fs/cgroup itself is cgroup2, "hybrid"
    /// when v1 controllers are mounted beside a cgroup2 at /sys/fs/cgroup/unified, "v1" for v1
    /// controllers only, "none" when nothing is mounted. The last mount on a point wins, as it does
    /// in the kernel.
    /// </summary>
    public static string CgroupVersion(string procMounts)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in procMounts.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length < 3) continue;
            var point = fields[1];
            if (point == CgroupRoot || point.StartsWith(CgroupRoot + "/", StringComparison.Ordinal)) types[point] = fields[2];
        }

        if (types.GetValueOrDefault(CgroupRoot) == "cgroup2") return "v2";
        var v1 = types.Values.Any(type => type == "cgroup");
        var unified = types.GetValueOrDefault(CgroupRoot + "/unified") == "cgroup2";
        return v1 && unified ? "hybrid" : v1 ? "v1" : "none";
    }

    /// <summary>The effective uid from the "Uid:" line of /proc/self/status (real, effective, saved, fs).</summary>
    public static uint? EffectiveUid(string procStatus) =>
        StatusField(procStatus, "Uid") is { } value
        && value.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } ids
        && uint.TryParse(ids[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? uid
            : null;

    /// <summary>True when the kernel reports a "Seccomp:" field at all, i.e. it was built with seccomp.</summary>
    public static bool KernelHasSeccomp(string procStatus) => StatusField(procStatus, "Seccomp") is not null;

    /// <summary>Seccomp filter actions the kernel offers; runc's filters need "errno" (deny with EPERM) and "allow".</summary>
    public static IReadOnlyList<string> SeccompActions(string actionsAvail) =>
        actionsAvail.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether /proc/filesystems lists a file system type ("nodev\toverlay").</summary>
    public static bool HasFileSystem(string procFilesystems, string type) =>
        procFilesystems.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Any(line => line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() == type);

    /// <summary>/proc/sys/user/max_user_namespaces as a number, or null when unreadable.</summary>
    public static long? ParseCount(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    /// <summary>The first non-empty line of a program's version output ("runc version 1.1.5+ds1").</summary>
    public static string FirstLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    private static string? StatusField(string procStatus, string name)
    {
        foreach (var line in procStatus.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        }

        return null;
    }
}
