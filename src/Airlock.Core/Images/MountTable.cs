using System.Text;

namespace Airlock.Core.Images;

/// <summary>Reads /proc/self/mountinfo: which overlays use an image, which mounts sit inside a tree about to be deleted.</summary>
internal static class MountTable
{
    public const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>
    /// Mount points of the overlays in <paramref name="mountInfo"/> that have <paramref name="directory"/> (or a directory under it) as a lower layer.
    /// Removing an image that a live overlay uses is allowed by the kernel but leaves that sandbox
    /// with files vanishing under it.
    /// </summary>
    public static IReadOnlyList<string> OverlaysUsing(string directory, string mountInfo)
    {
        var wanted = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var users = new List<string>();
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - overlay overlay rw,lowerdir=/a:/b,upperdir=..."
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator < 5 || fields.Length < separator + 4 || fields[separator + 1] != "overlay") continue;

            foreach (var lower in LowerDirectories(fields[separator + 3]))
            {
                if (lower == wanted || lower.StartsWith(wanted + "/", StringComparison.Ordinal))
                {
                    users.Add(Unescape(fields[4]));
                    break;
                }
            }
        }

        return users;
    }

    /// <summary>Mount points at or under <paramref name="directory"/>, deepest first (the order to unmount them in).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string directory, string mountInfo)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(point => point == root || point.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(point => point.Length)
            .ToList();
    }

    private static IEnumerable<string> LowerDirectories(string superOptions)
    {
        foreach (var option in superOptions.Split(','))
        {
            // "lowerdir=" lists layers split by ':' ("::" before data-only layers); newer kernels
            // may also show each layer as its own "lowerdir+=".
            var value = option.StartsWith("lowerdir=", StringComparison.Ordinal) ? option["lowerdir=".Length..]
                : option.StartsWith("lowerdir+=", StringComparison.Ordinal) ? option["lowerdir+=".Length..]
                : null;
            if (value is null) continue;
            foreach (var layer in value.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return Path.TrimEndingDirectorySeparator(Unescape(layer));
            }
        }
    }

    // mountinfo writes space, tab, newline and backslash as \ooo octal escapes.
    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal)) return value;
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && IsOctal(value, i + 1))
            {
                builder.Append((char)Convert.ToInt32(value.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(string value, int start) =>
        start + 3 <= value.Length && value.AsSpan(start, 3).IndexOfAnyExceptInRange('0', '7') < 0;
}
