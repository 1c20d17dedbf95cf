namespace Airlock.Core.Doctor;

/// <summary>Whether this host can run one isolation tier, and if not, why.</summary>
public sealed record TierStatus
{
    /// <summary>"container", "gvisor", "microvm".</summary>
    public required string Name { get; init; }

    public required bool Available { get; init; }

    /// <summary>Whether <c>--isolation auto</c> may pick it; false for a tier that runs but only when asked for by name (a microVM under TCG).</summary>
    public bool ForAuto { get; init; }

    /// <summary>"ready", or the failed checks / "not implemented yet".</summary>
    public required string Reason { get; init; }

    /// <summary>What would make an unavailable tier available, when something would.</summary>
    public string? Fix { get; init; }
}
