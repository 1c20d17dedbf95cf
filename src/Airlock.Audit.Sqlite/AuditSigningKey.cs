using System.Security.Cryptography;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// The ECDSA P-256 key that signs checkpoints. A hash chain alone can be recomputed by anyone who can write the
/// database; a checkpoint's signature cannot, without this key. Created at first use, mode 0600, PKCS#8 PEM.
/// </summary>
internal sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key)
    {
        _key = key;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    /// <summary>The first 16 hex digits of SHA-256 over the public key (SubjectPublicKeyInfo), to pin the key out of band.</summary>
    public string Fingerprint { get; }

    /// <summary>Loads the key, or creates it when the file does not exist. Two processes racing to create it end up with one key.</summary>
    public static AuditSigningKey LoadOrCreate(string path)
    {
        if (File.Exists(path)) return Load(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        using (var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            // Written whole under a temporary name, then linked in place without overwriting: a concurrent
            // reader never sees half a key, and the loser of a creation race reads the winner's.
            var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}");
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(fresh.ExportPkcs8PrivateKeyPem());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        return Load(path);
    }

    /// <summary>The key, or null when the file does not exist (a verifier never creates one).</summary>
    public static AuditSigningKey? TryLoad(string path) => File.Exists(path) ? Load(path) : null;

    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool Verify(byte[] data, byte[] signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();

    private static AuditSigningKey Load(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new AuditSigningKey(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AirlockException(AirlockErrorKind.Unavailable, $"the audit signing key {path} is not a PEM ECDSA private key ({e.Message}); restore it from a backup", e);
        }
    }
}
