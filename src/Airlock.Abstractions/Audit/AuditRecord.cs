namespace Airlock.Audit;

/// <summary>An <see cref="AuditEvent"/> as stored: its place in the chain, when, and the hashes that link it.</summary>
public sealed record AuditRecord
{
    /// <summary>1, 2, 3... without gaps.</summary>
    public required long Sequence { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required AuditEvent Event { get; init; }

    /// <summary>Hex SHA-256 of the previous record (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Hex SHA-256 over this record's canonical form, which includes <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; init; }
}
