namespace Airlock.Audit;

/// <summary>A filter over the audit trail; null fields match everything.</summary>
public sealed record AuditQuery
{
    public string? SandboxId { get; init; }

    /// <summary>A kind, or a prefix ending in <c>.</c> (<c>approval.</c>).</summary>
    public string? Kind { get; init; }

    public string? Actor { get; init; }

    public string? Outcome { get; init; }

    /// <summary>Only records with a larger sequence number.</summary>
    public long? AfterSequence { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>At most this many (the newest when <see cref="Newest"/>).</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>Take the newest <see cref="Limit"/> records rather than the oldest (still returned oldest first).</summary>
    public bool Newest { get; init; }
}
