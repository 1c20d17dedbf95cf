namespace Airlock.Policy;

/// <summary>One entry of the <c>files</c> section: how the sandbox may use an absolute path inside it.</summary>
public sealed record FileRule
{
    /// <summary>Absolute and normalised: no <c>.</c> or <c>..</c> segments, no trailing slash.</summary>
    public required string Path { get; init; }

    public required PathAccess Access { get; init; }
}
