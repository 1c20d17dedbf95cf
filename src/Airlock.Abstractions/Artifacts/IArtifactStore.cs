namespace Airlock.Artifacts;

/// <summary>
/// A content-addressed store: bytes are stored under their SHA-256 digest with a signed manifest, and are
/// only ever handed back after both are checked again. Something changed after it was stored is refused
/// (<see cref="AirlockErrorKind.Conflict"/>), never served. Implemented on disk and over HTTP.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/>; storing the same bytes again returns the manifest already there.</summary>
    Task<ArtifactInfo> PutAsync(Stream content, string? mediaType = null, string? name = null, CancellationToken cancellationToken = default);

    /// <summary>The verified manifest of <paramref name="digest"/>.</summary>
    Task<ArtifactInfo> GetInfoAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>The artifact's bytes, checked against its digest and manifest first. The caller disposes the stream.</summary>
    Task<Stream> OpenAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>Every stored artifact, newest first; an entry whose manifest fails verification is left out.</summary>
    Task<IReadOnlyList<ArtifactInfo>> ListAsync(CancellationToken cancellationToken = default);

    Task DeleteAsync(string digest, CancellationToken cancellationToken = default);
}
