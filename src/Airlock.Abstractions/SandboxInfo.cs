namespace Airlock;

/// <summary>What Airlock knows about one sandbox.</summary>
public sealed record SandboxInfo
{
    public required string Id { get; init; }

    public required SandboxState State { get; init; }

    public required string Image { get; init; }

    /// <summary>The tier the sandbox actually got: <c>container</c>, <c>gvisor</c> or <c>microvm</c>.</summary>
    public required string Isolation { get; init; }

    /// <summary>Why this tier was chosen (for <c>auto</c>) or that it was asked for.</summary>
    public string? IsolationReason { get; init; }

    public required ResourceLimits Limits { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The policy it was created with, as <c>name@version</c> (<c>inline-HASH@1</c> for a policy given as text); null for none.</summary>
    public string? Policy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Why a stopped sandbox stopped (ttl, exited, daemon found it dead).</summary>
    public string? StopReason { get; init; }
}
