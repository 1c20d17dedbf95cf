namespace Airlock;

/// <summary>
/// The isolation facts of a live sandbox as its own commands see them (read inside, not from the
/// configuration), for a security review: which kernel answers, who root is on the host, which filters apply.
/// </summary>
public sealed record SandboxPosture
{
    public required string Id { get; init; }

    /// <summary>The tier the sandbox runs on, and why it got it.</summary>
    public required string Isolation { get; init; }

    public string? IsolationReason { get; init; }

    /// <summary>The kernel release a command inside sees (the host's for container, gVisor's or the guest's otherwise).</summary>
    public required string KernelInside { get; init; }

    public required string KernelOnHost { get; init; }

    /// <summary>/proc/self/uid_map inside: "0 100000000 65536" means root inside is uid 100000000 outside.</summary>
    public required string UidMap { get; init; }

    public required string GidMap { get; init; }

    /// <summary>0 none, 1 strict, 2 filter (from /proc/self/status).</summary>
    public required int SeccompMode { get; init; }

    public required bool NoNewPrivileges { get; init; }

    /// <summary>Names of the effective capabilities of a command (CAP_ prefix dropped).</summary>
    public required IReadOnlyList<string> Capabilities { get; init; }

    /// <summary>Limits as the kernel enforces them inside (cgroup files); null where the sandbox cannot see one.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>The sandbox's task limit (cgroup pids): the user's limit plus a reserve for the guest agent's own threads.</summary>
    public long? PidsLimit { get; init; }

    public double? CpuLimit { get; init; }

    /// <summary>Network interfaces a command sees, and what that means.</summary>
    public required string Network { get; init; }

    /// <summary>The policy the sandbox was created with (<c>name@version</c>), if any.</summary>
    public string? Policy { get; init; }

    /// <summary>Calls on this sandbox refused for the caller's token (401/403), from the audit trail.</summary>
    public long? FailedAccess { get; init; }

    /// <summary>Actions on this sandbox its policy refused, and approvals denied or expired, from the audit trail.</summary>
    public long? PolicyDenials { get; init; }
}
