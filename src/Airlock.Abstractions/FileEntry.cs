namespace Airlock;

public enum FileKind
{
    File,
    Directory,
    Symlink,
    Other,
}

/// <summary>A file or directory inside a sandbox.</summary>
public sealed record FileEntry
{
    public required string Name { get; init; }

    /// <summary>Absolute path inside the sandbox.</summary>
    public required string Path { get; init; }

    public required FileKind Kind { get; init; }

    public long Size { get; init; }

    /// <summary>Permission bits (e.g. 0644).</summary>
    public int Mode { get; init; }

    public DateTimeOffset ModifiedAt { get; init; }

    public string? LinkTarget { get; init; }
}
