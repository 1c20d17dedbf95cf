namespace Airlock;

/// <summary>Answering approval requests: the engine's broker in-process, the daemon's API through the SDK.</summary>
public interface IApprovalOperations
{
    /// <summary>Pending approvals (oldest first), or the latest of every state.</summary>
    Task<IReadOnlyList<ApprovalInfo>> ListAsync(bool pendingOnly = true, CancellationToken cancellationToken = default);

    Task<ApprovalInfo> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Approves or denies a pending approval; Conflict when it is no longer pending.</summary>
    Task<ApprovalInfo> ResolveAsync(string id, bool approve, string? reason, CancellationToken cancellationToken = default);
}
