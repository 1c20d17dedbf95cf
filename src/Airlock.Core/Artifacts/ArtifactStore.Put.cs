using System.Security.Cryptography;
using System.Text.Json;
using Airlock.Artifacts;

namespace Airlock.Core.Artifacts;

public sealed partial class ArtifactStore
{
    private const int MaxLabelLength = 255;

    /// <summary>
    /// Streams <paramref name="content"/> to a temporary file while hashing it, then publishes it by rename.
    /// The same bytes again return the manifest already stored (first name and time kept); a stored copy that
    /// no longer verifies is replaced by the good bytes.
    /// </summary>
    public async Task<ArtifactInfo> PutAsync(Stream content, string? mediaType = null, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        mediaType = CheckMediaType(mediaType);
        name = CheckName(name);
        var temp = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            var (digest, size) = await WriteHashedAsync(content, temp, cancellationToken);
            if (TryExisting(digest) is { } existing) return existing;

            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            File.Move(temp, ContentPath(digest), overwrite: true);
            var manifest = new ArtifactManifest(digest, size, mediaType, name, _time.GetUtcNow());
            var info = manifest.Signed(_signer.Sign(manifest));
            await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(info, ArtifactJsonContext.Default.ArtifactInfo), cancellationToken);
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            File.Move(temp, ManifestPath(digest), overwrite: true);
            return info;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private async Task<(string Digest, long Size)> WriteHashedAsync(Stream content, string temp, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var file = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            BufferSize = BufferSize,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > MaxBytes)
                {
                    throw new AirlockException(AirlockErrorKind.TooLarge, $"the artifact is larger than this store's limit of {Units.FormatSize(MaxBytes)}");
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }

        return (ArtifactDigest.Format(hash.GetHashAndReset()), size);
    }

    /// <summary>The stored artifact with this digest if it still verifies, else null (absent, or to be replaced).</summary>
    private ArtifactInfo? TryExisting(string digest)
    {
        if (!File.Exists(ManifestPath(digest))) return null;
        try
        {
            var info = ReadVerifiedManifest(digest);
            using var stored = File.OpenRead(ContentPath(digest));
            return ArtifactDigest.Format(SHA256.HashData(stored)) == digest ? info : null;
        }
        catch (Exception e) when (e is AirlockException or IOException)
        {
            return null;
        }
    }

    private static string CheckMediaType(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType)) return DefaultMediaType;
        mediaType = mediaType.Trim();
        if (mediaType.Length > MaxLabelLength || !mediaType.Contains('/', StringComparison.Ordinal) || mediaType.Any(char.IsControl))
        {
            throw AirlockException.Invalid($"media type '{mediaType[..Math.Min(mediaType.Length, 80)]}' is not a media type like text/plain (at most {MaxLabelLength} characters)");
        }

        return mediaType;
    }

    private static string? CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (name.Length > MaxLabelLength || name.Any(char.IsControl))
        {
            throw AirlockException.Invalid($"artifact name must be at most {MaxLabelLength} characters with no control characters");
        }

        return name;
    }
}
