using System.Security.Cryptography;
using System.Text;

namespace Airlock.Server;

/// <summary>The admin bearer token: 32 random bytes, base64url, in a 0600 file the daemon creates on first start.</summary>
public static class AdminToken
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads the token at <paramref name="path"/>, creating it first when missing.</summary>
    public static string LoadOrCreate(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (TryRead(path) is { } existing) return existing;
            var token = Base64Url(RandomNumberGenerator.GetBytes(32));
            try
            {
                // CreateNew + UnixCreateMode: the file is born 0600 (O_CREAT|O_EXCL with the mode), never
                // world-readable even for an instant, and a second daemon starting at once cannot clobber it.
                using var file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = OwnerOnly,
                });
                file.Write(Encoding.ASCII.GetBytes(token + "\n"));
                file.Flush(flushToDisk: true);
                return token;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Someone else created it between our read and our create (or it is empty: half-written); read theirs.
                if (attempt > 20 && new FileInfo(path).Length == 0) File.Delete(path);
                Thread.Sleep(20);
            }
        }

        throw AirlockException.Unavailable($"cannot create the admin token file {path}");
    }

    private static string? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly & ~UnixFileMode.UserExecute) != 0)
        {
            // Someone loosened it; a token others can read is no secret.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var token = File.ReadAllText(path).Trim();
        return token.Length > 0 ? token : null;
    }

    /// <summary>Compares in constant time; hashing first keeps the token's length secret too.</summary>
    public static bool Matches(string expected, string? presented)
    {
        if (presented is null) return false;
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
