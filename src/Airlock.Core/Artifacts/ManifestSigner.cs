using System.Security.Cryptography;

namespace Airlock.Core.Artifacts;

/// <summary>
/// Signs and verifies artifact manifests with the daemon's ECDSA P-256 key (PKCS#8 PEM, 0600, created on
/// first use). A manifest edited on disk — a new name, size or digest — no longer verifies, and so is refused.
/// </summary>
internal sealed class ManifestSigner : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly ECDsa _key;

    private ManifestSigner(ECDsa key, string keyPath)
    {
        _key = key;
        KeyPath = keyPath;
    }

    public string KeyPath { get; }

    public static ManifestSigner LoadOrCreate(string keyPath)
    {
        var key = ECDsa.Create();
        try
        {
            if (!File.Exists(keyPath)) TryCreate(keyPath);
            key.ImportFromPem(File.ReadAllText(keyPath));
            if (key.KeySize != 256) throw AirlockException.Unavailable($"{keyPath} is not an ECDSA P-256 key; move it away and a new one is made (stored artifacts then fail verification)");
            return new ManifestSigner(key, keyPath);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw AirlockException.Unavailable($"cannot read the artifact signing key {keyPath}: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public string Sign(ArtifactManifest manifest) =>
        Convert.ToBase64String(_key.SignData(Payload(manifest), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public bool Verify(ArtifactManifest manifest, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return false;
        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && _key.VerifyData(Payload(manifest), bytes.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public void Dispose() => _key.Dispose();

    private static byte[] Payload(ArtifactManifest manifest) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, ArtifactJsonContext.Default.ArtifactManifest);

    /// <summary>CreateNew with the mode: the private key is never readable by others, and two daemons cannot both write one.</summary>
    private static void TryCreate(string keyPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyPath))!);
        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            using var file = new FileStream(keyPath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
            using var writer = new StreamWriter(file);
            writer.Write(fresh.ExportPkcs8PrivateKeyPem());
        }
        catch (IOException) when (File.Exists(keyPath))
        {
            // Another process made it first; theirs is the key.
        }
    }
}
