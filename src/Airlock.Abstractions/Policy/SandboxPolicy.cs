namespace Airlock.Policy;

/// <summary>
/// What a sandbox may do, written once by a person and enforced by the engine: the weakest isolation
/// it accepts, its limits, where it may connect, which secrets it may use and where, which paths and
/// tools it may touch, and what to do when it behaves oddly. Every section is optional; an empty
/// policy denies all egress, injects no secrets and leaves the limits to the engine's defaults.
/// </summary>
public sealed record SandboxPolicy
{
    /// <summary>A name to refer to the policy by; 1-63 characters of [A-Za-z0-9._-].</summary>
    public string? Name { get; init; }

    public IsolationPolicy Isolation { get; init; } = new();

    public PolicyLimits Limits { get; init; } = new();

    public NetworkPolicy Network { get; init; } = new();

    /// <summary>Secrets by the environment variable name under which the sandbox sees a placeholder.</summary>
    public IReadOnlyDictionary<string, SecretPolicy> Secrets { get; init; } = new Dictionary<string, SecretPolicy>();

    /// <summary>Access rules for paths inside the sandbox, in the order written.</summary>
    public IReadOnlyList<FileRule> Files { get; init; } = [];

    public ToolPolicy Tools { get; init; } = new();

    public IReadOnlyList<AnomalyRule> Anomalies { get; init; } = [];

    /// <summary>How long an action waits for a person's approval before it is refused. Null means the engine's default.</summary>
    public TimeSpan? ApprovalTimeout { get; init; }
}
