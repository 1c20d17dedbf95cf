namespace Airlock.Audit;

/// <summary>What <see cref="IAuditVerifier"/> found: intact, or the first record that is not what was written, and why.</summary>
public sealed record AuditVerification
{
    public bool Ok => FirstBad is null;

    /// <summary>Records read (up to the first bad one when the chain is broken).</summary>
    public long Records { get; init; }

    /// <summary>Signed checkpoints read.</summary>
    public long Checkpoints { get; init; }

    /// <summary>
    /// Fingerprint of the key the checkpoints were checked with (16 hex digits of SHA-256 over its public key), or
    /// null when there is none yet. An intruder who replaces the key can re-sign a rewritten trail: keep this value
    /// somewhere else and compare.
    /// </summary>
    public string? SigningKey { get; init; }

    /// <summary>The first record that fails a check, or null when the trail is intact.</summary>
    public AuditFault? FirstBad { get; init; }
}
