namespace Airlock.Access;

/// <summary>The answer to a mint: the token string, shown this once and stored nowhere, and what it grants.</summary>
public sealed record MintedToken
{
    public required string Id { get; init; }

    /// <summary>The bearer token. Airlock keeps only a hash of its secret part; lose it and mint another.</summary>
    public required string Token { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public string? Sandbox { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}
