namespace Airlock.Access;

/// <summary>
/// Counts of refused requests per sandbox and per token. The API's authentication and scope checks feed it;
/// the policy layer may feed its own denials; metrics and anomaly rules read it.
/// </summary>
public interface IAccessFailures
{
    void Record(AccessFailure failure);

    AccessFailureCounts ForSandbox(string sandboxId);

    AccessFailureCounts ForToken(string tokenId);

    /// <summary>Every refusal since the counts began (the daemon seeds them from the audit log at start).</summary>
    AccessFailureCounts Total { get; }
}
