namespace Airlock.Artifacts;

/// <summary>
/// A stored artifact: its signed manifest (digest, size, media type, name, creation time) and the
/// signature over it. The digest is the identity: the same bytes always get the same one.
/// </summary>
public sealed record ArtifactInfo
{
    /// <summary><c>sha256:</c> and 64 lowercase hex digits.</summary>
    public required string Digest { get; init; }

    public required long Size { get; init; }

    /// <summary>The media type given when it was stored; <c>application/octet-stream</c> when none was.</summary>
    public required string MediaType { get; init; }

    /// <summary>A name given when it was stored, for people; never used to find it.</summary>
    public string? Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Base64 ECDSA P-256 (SHA-256, DER) signature of the manifest by the daemon's artifact key.</summary>
    public required string ManifestSignature { get; init; }
}
