namespace Airlock;

/// <summary>A base image in the local image store.</summary>
public sealed record ImageInfo
{
    public required string Name { get; init; }

    /// <summary>Debian packages the image was built from (empty for imported images).</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public long SizeBytes { get; init; }
}
