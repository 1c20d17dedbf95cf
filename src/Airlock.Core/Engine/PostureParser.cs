using System.Globalization;

namespace Airlock.Core.Engine;

/// <summary>Turns the /proc and cgroup files read inside a sandbox into <see cref="SandboxPosture"/> facts. Pure.</summary>
internal static class PostureParser
{
    /// <summary>Linux capability numbers 0..40 (linux/capability.h).</summary>
    private static readonly string[] CapabilityNames =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    public static string StatusField(string status, string name) =>
        status.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "";

    public static IReadOnlyList<string> Capabilities(string hexMask)
    {
        if (!ulong.TryParse(hexMask, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)) return [];
        return Enumerable.Range(0, 64)
            .Where(bit => (mask & (1UL << bit)) != 0)
            .Select(bit => bit < CapabilityNames.Length ? CapabilityNames[bit] : $"CAP_{bit}")
            .ToList();
    }

    /// <summary>A cgroup limit file's value; "max" and v1's "no limit" sentinels are null.</summary>
    public static long? Limit(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || value == "max") return null;
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 0) return null;
        // cgroup v1 reports "unlimited" as a page-rounded LONG_MAX.
        return number >= long.MaxValue / 2 ? null : number;
    }

    /// <summary>CPUs from v2 cpu.max ("quota period") or v1 cfs quota and period files.</summary>
    public static double? Cpus(string? cpuMax, string? v1Quota, string? v1Period)
    {
        if (cpuMax?.Trim().Split(' ') is [var quota, var period] && quota != "max"
            && double.TryParse(quota, CultureInfo.InvariantCulture, out var q) && double.TryParse(period, CultureInfo.InvariantCulture, out var p) && p > 0)
        {
            return q / p;
        }

        return Limit(v1Quota) is { } q1 && Limit(v1Period) is { } p1 && p1 > 0 ? (double)q1 / p1 : null;
    }

    /// <summary>Interface names from /proc/net/dev, and what they mean for egress.</summary>
    public static string Network(string procNetDev)
    {
        var interfaces = procNetDev.Split('\n')
            .Skip(2)
            .Select(l => l.Split(':')[0].Trim())
            .Where(n => n.Length > 0)
            .ToList();
        return interfaces is ["lo"] ? "none: loopback only"
            : interfaces.Count == 0 ? "none: no interfaces"
            : "interfaces: " + string.Join(", ", interfaces);
    }

    /// <summary>The v2 path of /proc/self/cgroup's "0::PATH" line, or "/" when there is none.</summary>
    public static string CgroupV2Path(string procSelfCgroup) =>
        procSelfCgroup.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal)) is { } line && line.Length > 3 ? line[3..].Trim() : "/";

    /// <summary>"/a/b" -> "/a/b", "/a", "" (the root, as a suffix of /sys/fs/cgroup).</summary>
    public static IEnumerable<string> CgroupAncestors(string path)
    {
        var current = path.TrimEnd('/');
        while (current.Length > 0)
        {
            yield return current;
            current = current[..current.LastIndexOf('/')];
        }

        yield return "";
    }

    /// <summary>MemTotal of /proc/meminfo in bytes, or null.</summary>
    public static long? MemTotalBytes(string meminfo) =>
        meminfo.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
        && long.TryParse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : null;
}
