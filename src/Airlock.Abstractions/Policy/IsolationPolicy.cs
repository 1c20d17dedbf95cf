namespace Airlock.Policy;

/// <summary>The <c>isolation</c> section.</summary>
public sealed record IsolationPolicy
{
    /// <summary>
    /// The weakest tier the sandbox may run on. A host that cannot offer it refuses the sandbox rather
    /// than downgrading, because code written for a microVM's boundary must not quietly share the host kernel.
    /// Null accepts any tier.
    /// </summary>
    public IsolationTier? Minimum { get; init; }
}
