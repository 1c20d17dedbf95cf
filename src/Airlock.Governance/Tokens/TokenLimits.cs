namespace Airlock.Governance.Tokens;

/// <summary>How long minted tokens live: short by default, because a leaked agent token should die on its own.</summary>
public sealed record TokenLimits
{
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(24);
}
