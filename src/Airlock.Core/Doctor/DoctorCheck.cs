namespace Airlock.Core.Doctor;

/// <summary>One host readiness check: what was looked at, what was found, and how to fix it.</summary>
public sealed record DoctorCheck
{
    /// <summary>Short stable name: "root", "runc", "cgroup", "userns", ...</summary>
    public required string Name { get; init; }

    public required bool Ok { get; init; }

    /// <summary>What was found ("runc version 1.1.5+ds1", "hybrid (v1 controllers, v2 at /sys/fs/cgroup/unified)").</summary>
    public required string Detail { get; init; }

    /// <summary>What to do when <see cref="Ok"/> is false (a command where there is one); null when ok.</summary>
    public string? Fix { get; init; }

    /// <summary>The Debian package that provides what is missing, when installing one fixes it.</summary>
    public string? Package { get; init; }

    /// <summary>True for facts reported for later tiers (KVM, runsc, nftables); they never make a tier unavailable.</summary>
    public bool Informational { get; init; }
}
