using Airlock.Audit;

namespace Airlock.Core.Telemetry;

/// <summary>
/// Feeds the denial counters and the audit latency histogram from the audit stream, so that every refusal is
/// counted exactly where it is recorded and no component has to remember to do both.
/// </summary>
public static class AuditMetricsBridge
{
    public static IDisposable Connect(IAuditLog audit, AirlockMetrics metrics, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(metrics);
        var clock = time ?? TimeProvider.System;
        return audit.Subscribe(record =>
        {
            // From the moment the record was stamped to its commit: what an appender waits for.
            var waited = clock.GetUtcNow() - record.Time;
            metrics.RecordAuditAppend(waited < TimeSpan.Zero ? TimeSpan.Zero : waited);
            if (DenialKind(record.Event) is { } kind) metrics.RecordDenial(kind);
        });
    }

    private static string? DenialKind(AuditEvent e) => e.Kind switch
    {
        AuditKinds.PolicyDecision when e.Outcome == AuditOutcomes.Denied => DenialKinds.Policy,
        AuditKinds.ApprovalResolved when e.Outcome == AuditOutcomes.Denied => DenialKinds.Approval,
        AuditKinds.NetworkDecision when e.Outcome == AuditOutcomes.Denied => DenialKinds.Egress,
        AuditKinds.AccessDenied => AccessDenialKind(e),
        _ => null,
    };

    /// <summary>
    /// The API records every 403 of a request as a failed access, policy refusals included; those are already
    /// counted as <c>policy</c> or <c>approval</c> above, so only the token checks' own refusals count as <c>scope</c>.
    /// </summary>
    private static string? AccessDenialKind(AuditEvent e)
    {
        if (e.Details.TryGetValue("status", out var status) && status == "401") return DenialKinds.Auth;
        var reason = e.Details.GetValueOrDefault("reason") ?? "";
        return reason.Contains("lacks the scope", StringComparison.Ordinal) || reason.Contains("is bound to", StringComparison.Ordinal)
            || reason.Contains("admin token only", StringComparison.Ordinal) || reason.Contains("wider", StringComparison.Ordinal)
            ? DenialKinds.Scope
            : null;
    }
}
