namespace Airlock.Backends.Runc;

/// <summary>Facts about the host process read from /proc (no P/Invoke outside Airlock.Native).</summary>
internal static class HostFacts
{
    public const int CapSysResource = 24;

    public static bool IsRoot() => StatusField("Uid:")?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";

    public static bool HasCapability(int bit) =>
        StatusField("CapEff:") is { } hex && ulong.TryParse(hex.Trim(), System.Globalization.NumberStyles.HexNumber, null, out var caps) && (caps & (1UL << bit)) != 0;

    /// <summary>Our hard RLIMIT_NOFILE; a process without CAP_SYS_RESOURCE cannot give a container more.</summary>
    public static ulong NoFileHardLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && ulong.TryParse(parts[1], out var hard) ? hard : ulong.MaxValue;
            }
        }

        return ulong.MaxValue;
    }

    /// <summary>The gid of the image's <c>tty</c> group (devpts is mounted with it), or null when the image has none.</summary>
    public static uint? TtyGroup(string rootfs)
    {
        var groupFile = Path.Combine(rootfs, "etc", "group");
        try
        {
            foreach (var line in File.ReadLines(groupFile))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == "tty" && uint.TryParse(fields[2], out var gid))
                {
                    return gid;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static string? StatusField(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return line[name.Length..];
            }
        }

        return null;
    }
}
