namespace Airlock;

/// <summary>An action held until a person approves or denies it, or its time runs out.</summary>
public sealed record ApprovalInfo
{
    /// <summary><c>ap_</c> and 16 hex characters.</summary>
    public required string Id { get; init; }

    public required string SandboxId { get; init; }

    /// <summary>Who asked for the action (audit actor: <c>admin</c>, <c>token:ID</c>, <c>local:USER</c>).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The action as a person reads it: <c>exec git push origin main</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The policy rule that asked for a person: <c>tools.approval: git push *</c>.</summary>
    public required string Rule { get; init; }

    public required string Reason { get; init; }

    public required ApprovalState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When an unanswered request counts as denied.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The person who approved or denied it (their name), or <c>timeout</c>.</summary>
    public string? ResolvedBy { get; init; }

    public string? ResolutionReason { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }
}

public enum ApprovalState
{
    Pending,
    Approved,
    Denied,

    /// <summary>Nobody answered within the policy's approval timeout: the action was refused.</summary>
    Expired,
}
