namespace Airlock.Access;

/// <summary>A minted scoped token as listings show it: never its secret.</summary>
public sealed record TokenInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>The one sandbox the token is bound to, if bound by id.</summary>
    public string? Sandbox { get; init; }

    /// <summary>The labels a sandbox must carry, if bound by selector.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public bool Revoked => RevokedAt is not null;

    /// <summary>Who minted it, as audit records name actors (<c>admin</c>, <c>token:ID</c>, <c>local:USER</c>).</summary>
    public required string MintedBy { get; init; }

    /// <summary>Refused requests made with this token (filled by the daemon's listing).</summary>
    public AccessFailureCounts? FailedAccess { get; init; }
}
