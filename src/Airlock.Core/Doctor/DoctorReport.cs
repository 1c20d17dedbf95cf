namespace Airlock.Core.Doctor;

/// <summary>Which isolation tiers this host can run, and why not. Serialisable as is for <c>airlock doctor --json</c>.</summary>
public sealed record DoctorReport
{
    public required IReadOnlyList<DoctorCheck> Checks { get; init; }

    public required IReadOnlyList<TierStatus> Tiers { get; init; }

    /// <summary>"v2", "hybrid", "v1" or "none".</summary>
    public required string CgroupVersion { get; init; }

    public string Kernel { get; init; } = "";

    /// <summary>The tier <c>--isolation auto</c> picks on this host, and why.</summary>
    public string AutoChoice { get; init; } = "";

    public bool AnyTierAvailable => Tiers.Any(tier => tier.Available);

    /// <summary>Debian packages that would fix failed checks, for <c>airlock doctor --fix</c> (apt-get install -y ...).</summary>
    public IReadOnlyList<string> MissingPackages => Checks
        .Where(check => !check.Ok && check.Package is not null)
        .Select(check => check.Package!)
        .Distinct(StringComparer.Ordinal)
        .ToList();
}
