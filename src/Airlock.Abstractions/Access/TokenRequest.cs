namespace Airlock.Access;

/// <summary>What a caller asks for when minting a scoped token.</summary>
public sealed record TokenRequest
{
    /// <summary>A person-readable name ("ci-reader"); defaults to <c>token</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Scope names from <see cref="Scopes"/>; at least one.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>Bind the token to this one sandbox. Exclusive with <see cref="Labels"/>.</summary>
    public string? Sandbox { get; init; }

    /// <summary>Bind the token to sandboxes carrying all these labels. Exclusive with <see cref="Sandbox"/>.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>How long the token lives; the service's default (15 min) when null, at most its maximum (24 h).</summary>
    public TimeSpan? Ttl { get; init; }
}
