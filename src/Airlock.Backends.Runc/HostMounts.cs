using System.Text;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>Finding and unmounting a sandbox's mounts (mounting is in SandboxDisk, through mount(2)).</summary>
internal static class HostMounts
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Mount points at or under <paramref name="directory"/>, deepest first (the order to unmount them).</summary>
    public static IReadOnlyList<string> MountsUnder(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }

            var mountPoint = Unescape(fields[4]);
            if (mountPoint == directory.TrimEnd('/') || mountPoint.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(mountPoint);
            }
        }

        // Later mounts stack on earlier ones; reverse mountinfo order unmounts the top first.
        found.Reverse();
        return [.. found.OrderByDescending(p => p.Count(c => c == '/'))];
    }

    /// <summary>Unmounts everything under the directory; retries briefly while a dying process still holds it.</summary>
    public static async Task UnmountAllUnderAsync(string directory, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var mounts = MountsUnder(directory);
            if (mounts.Count == 0)
            {
                return;
            }

            var errors = new List<string>();
            foreach (var mountPoint in mounts)
            {
                var result = await HostCommand.RunAsync("umount", [mountPoint], Timeout, cancellationToken);
                if (!result.Succeeded && !result.Stderr.Contains("not mounted", StringComparison.Ordinal))
                {
                    errors.Add(result.Message);
                }
            }

            if (errors.Count > 0 && attempt >= 20)
            {
                throw new HostCommandException($"cannot unmount under {directory}: {string.Join("; ", errors)}");
            }

            if (errors.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as three-digit octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
