using System.Security.Cryptography;

namespace Airlock.RedTeam.Host;

/// <summary>Reads of host files that never throw: a judge must be able to say "absent" or "unreadable" as evidence.</summary>
internal static class HostFiles
{
    /// <summary>Hex SHA-256 of the file, or null when it does not exist or cannot be read.</summary>
    public static string? Sha256(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The first <paramref name="count"/> bytes, or null.</summary>
    public static byte[]? Head(string path, int count)
    {
        try
        {
            // Positional reads: block and character devices (a disk, /dev/mem) do not suit a buffered FileStream.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[count];
            var read = 0;
            while (read < count && RandomAccess.Read(handle, buffer.AsSpan(read), read) is var n && n > 0) read += n;
            return buffer[..read];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A value read from a <c>key value</c> or <c>key: value</c> file (cgroup stats, /proc/meminfo).</summary>
    public static long? Key(string path, string key)
    {
        if (ReadText(path) is not { } text) return null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split([' ', ':', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == key && long.TryParse(parts[1], out var value)) return value;
        }

        return null;
    }

    /// <summary>A file holding one number (cgroup knobs); "max" is <see cref="long.MaxValue"/>.</summary>
    public static long? Number(string path) => ReadText(path)?.Trim() switch
    {
        null => null,
        "max" => long.MaxValue,
        var text when long.TryParse(text, out var value) => value,
        _ => null,
    };
}
