using Airlock.Audit;

namespace Airlock.Core.Anomalies;

/// <summary>
/// The counters anomaly rules can name, and which audit records feed each. A record may feed several counters;
/// <c>anomaly</c> records feed none, so that a response can never trigger itself.
/// </summary>
public static class AnomalyCounters
{
    /// <summary>Commands started in the sandbox (exec and background processes).</summary>
    public const string ExecRate = "exec_rate";

    /// <summary>Calls on the sandbox refused for the caller's token: 401/403, wrong scope, another sandbox.</summary>
    public const string FailedAccess = "failed_access";

    /// <summary>Actions the sandbox's policy refused, and approvals denied or left to expire.</summary>
    public const string PolicyDenied = "policy_denied";

    /// <summary>Connections and DNS lookups the egress gateway refused.</summary>
    public const string EgressDenied = "egress_denied";

    /// <summary>File operations through the files API.</summary>
    public const string FileOps = "file_ops";

    /// <summary>Touches of a canary Airlock planted (a fake credential sent out, a decoy file read).</summary>
    public const string CanaryAccess = "canary_access";

    public static IReadOnlyList<string> All { get; } = [ExecRate, FailedAccess, PolicyDenied, EgressDenied, FileOps, CanaryAccess];

    public static IEnumerable<string> Of(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Kind)
        {
            case AuditKinds.Exec:
                yield return ExecRate;
                break;
            case AuditKinds.AccessDenied:
                yield return FailedAccess;
                break;
            case AuditKinds.PolicyDecision when e.Outcome == AuditOutcomes.Denied:
            case AuditKinds.ApprovalResolved when e.Outcome == AuditOutcomes.Denied:
                yield return PolicyDenied;
                break;
            case AuditKinds.NetworkDecision when e.Outcome == AuditOutcomes.Denied:
                yield return EgressDenied;
                break;
            case AuditKinds.FileRead or AuditKinds.FileWrite or AuditKinds.FileDelete:
                yield return FileOps;
                break;
        }

        if (e.Details.TryGetValue("canary", out _)) yield return CanaryAccess;
    }
}
