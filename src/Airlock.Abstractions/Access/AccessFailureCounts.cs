namespace Airlock.Access;

/// <summary>How often access was refused for one sandbox or one token.</summary>
public sealed record AccessFailureCounts
{
    public static AccessFailureCounts None { get; } = new();

    /// <summary>401s: missing, forged, expired or revoked tokens.</summary>
    public long Unauthorized { get; init; }

    /// <summary>403s: a valid token without the scope, or bound to another sandbox.</summary>
    public long Forbidden { get; init; }

    public long Total => Unauthorized + Forbidden;

    public DateTimeOffset? LastAt { get; init; }
}
