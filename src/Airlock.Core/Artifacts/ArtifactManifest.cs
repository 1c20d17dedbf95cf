namespace Airlock.Core.Artifacts;

/// <summary>What the signature covers: the fields of <see cref="Airlock.Artifacts.ArtifactInfo"/> but the signature itself.</summary>
internal sealed record ArtifactManifest(string Digest, long Size, string MediaType, string? Name, DateTimeOffset CreatedAt)
{
    public static ArtifactManifest Of(Airlock.Artifacts.ArtifactInfo info) => new(info.Digest, info.Size, info.MediaType, info.Name, info.CreatedAt);

    public Airlock.Artifacts.ArtifactInfo Signed(string signature) => new()
    {
        Digest = Digest,
        Size = Size,
        MediaType = MediaType,
        Name = Name,
        CreatedAt = CreatedAt,
        ManifestSignature = signature,
    };
}
