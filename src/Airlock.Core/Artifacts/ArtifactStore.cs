using System.Security.Cryptography;
using System.Text.Json;
using Airlock.Artifacts;

namespace Airlock.Core.Artifacts;

/// <summary>
/// Artifacts on disk: <c>{data}/artifacts/sha256/&lt;hex&gt;</c> (the bytes, read-only) beside
/// <c>&lt;hex&gt;.manifest.json</c> (digest, size, media type, name, creation time, signature). Every read hashes
/// the bytes again and checks the manifest's signature, so an artifact changed after it was stored — by a
/// sandbox escape, a bad disk or a person — is refused with <see cref="AirlockErrorKind.Conflict"/>, never served.
/// No HTTP here: the daemon's routes and the CLI's embedded mode both use this class.
/// </summary>
public sealed partial class ArtifactStore : IArtifactStore, IDisposable
{
    public const string DefaultMediaType = "application/octet-stream";
    private const int BufferSize = 81920;
    private readonly ManifestSigner _signer;
    private readonly TimeProvider _time;

    /// <param name="paths">Where the data directory is; the store and its signing key live there.</param>
    /// <param name="maxBytes">The largest artifact accepted; a larger one is refused with <see cref="AirlockErrorKind.TooLarge"/>.</param>
    /// <param name="time">The clock for <see cref="ArtifactInfo.CreatedAt"/>.</param>
    public ArtifactStore(AirlockPaths paths, long maxBytes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        Directory = Path.Combine(paths.Artifacts, "sha256");
        TempDirectory = Path.Combine(paths.Artifacts, "tmp");
        MaxBytes = maxBytes;
        _time = time;
        System.IO.Directory.CreateDirectory(Directory);
        System.IO.Directory.CreateDirectory(TempDirectory);
        _signer = ManifestSigner.LoadOrCreate(paths.ArtifactSigningKey);
    }

    /// <summary>The folder of content files and manifests.</summary>
    public string Directory { get; }

    public long MaxBytes { get; }

    /// <summary>Where uploads are written before the rename that publishes them (same file system, so the rename is atomic).</summary>
    private string TempDirectory { get; }

    public string ContentPath(string digest) => Path.Combine(Directory, ArtifactDigest.Hex(digest));

    public string ManifestPath(string digest) => Path.Combine(Directory, ArtifactDigest.Hex(digest) + ".manifest.json");

    public Task<ArtifactInfo> GetInfoAsync(string digest, CancellationToken cancellationToken = default) =>
        Task.FromResult(ReadVerifiedManifest(digest));

    public async Task<Stream> OpenAsync(string digest, CancellationToken cancellationToken = default)
    {
        var info = ReadVerifiedManifest(digest);
        FileStream content;
        try
        {
            // Hashed and then served through the same open file, so what was checked is what is sent.
            content = new FileStream(ContentPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw Refused(digest, "its content file is gone");
        }

        try
        {
            var actual = ArtifactDigest.Format(await SHA256.HashDataAsync(content, cancellationToken));
            if (actual != info.Digest) throw Refused(digest, $"its content hashes to {actual}, it was changed after it was stored");
            content.Position = 0;
            return content;
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlyList<ArtifactInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<ArtifactInfo>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.manifest.json"))
        {
            var digest = ArtifactDigest.Prefix + Path.GetFileName(file)[..^".manifest.json".Length];
            try
            {
                list.Add(ReadVerifiedManifest(digest));
            }
            catch (AirlockException)
            {
                // Not a well-formed, signed manifest: not an artifact this store vouches for.
            }
        }

        IReadOnlyList<ArtifactInfo> sorted = [.. list.OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Digest, StringComparer.Ordinal)];
        return Task.FromResult(sorted);
    }

    public Task DeleteAsync(string digest, CancellationToken cancellationToken = default)
    {
        var manifest = ManifestPath(digest);
        if (!File.Exists(manifest)) throw NotStored(digest);
        File.Delete(manifest); // first: without its manifest the content is no longer an artifact
        File.Delete(ContentPath(digest));
        return Task.CompletedTask;
    }

    public void Dispose() => _signer.Dispose();

    /// <summary>The manifest of <paramref name="digest"/>, after checking its signature and that it describes this digest.</summary>
    private ArtifactInfo ReadVerifiedManifest(string digest)
    {
        var path = ManifestPath(digest);
        ArtifactInfo? info;
        try
        {
            info = JsonSerializer.Deserialize(File.ReadAllBytes(path), ArtifactJsonContext.Default.ArtifactInfo);
        }
        catch (FileNotFoundException)
        {
            throw NotStored(digest);
        }
        catch (JsonException)
        {
            throw Refused(digest, "its manifest is not valid JSON any more, it was changed after it was stored");
        }

        if (info is null || !_signer.Verify(ArtifactManifest.Of(info), info.ManifestSignature))
        {
            throw Refused(digest, $"its manifest's signature does not verify, the manifest was changed after it was stored (or the signing key {_signer.KeyPath} was replaced)");
        }

        if (info.Digest != digest)
        {
            throw Refused(digest, $"its manifest describes {info.Digest}, a manifest was put in the place of another");
        }

        return info;
    }

    private static AirlockException NotStored(string digest) =>
        AirlockException.NotFound($"no artifact {digest}; see GET /v1/artifacts (airlock artifact ls)");

    private static AirlockException Refused(string digest, string why) =>
        AirlockException.Conflict($"artifact {digest} failed verification: {why}; it is not served (delete it, or store the original bytes again)");
}
