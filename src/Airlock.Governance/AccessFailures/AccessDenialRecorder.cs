using System.Globalization;
using Airlock.Access;
using Airlock.Audit;

namespace Airlock.Governance.AccessFailures;

/// <summary>
/// The one place a refusal is written down: counted in <see cref="IAccessFailures"/> and appended to the audit log
/// as <see cref="AuditKinds.AccessDenied"/> (with the token id and the reason, never the token).
/// </summary>
public sealed class AccessDenialRecorder(IAccessFailures failures, TimeProvider time, IAuditLog? audit = null)
{
    public const string AnonymousActor = "anonymous";

    public IAccessFailures Failures => failures;

    public async Task RecordAsync(int status, string actor, string? tokenId, string? sandboxId, string reason, string? action, CancellationToken cancellationToken = default)
    {
        var failure = new AccessFailure
        {
            Status = status,
            Actor = actor,
            TokenId = tokenId,
            SandboxId = sandboxId,
            Reason = reason,
            Action = action,
            Time = time.GetUtcNow(),
        };
        failures.Record(failure);
        if (audit is null) return;

        var details = new Dictionary<string, string>
        {
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
            ["reason"] = reason,
        };
        if (tokenId is not null) details["tokenId"] = tokenId;
        if (action is not null) details["action"] = action;
        await audit.AppendAsync(new AuditEvent
        {
            Kind = AuditKinds.AccessDenied,
            Actor = actor,
            Outcome = AuditOutcomes.Denied,
            SandboxId = sandboxId,
            Details = details,
        }, cancellationToken);
    }

    /// <summary>Replays the audit log's past denials into the counts, so they survive a daemon restart.</summary>
    public async Task LoadHistoryAsync(CancellationToken cancellationToken = default)
    {
        if (audit is null) return;
        var query = new AuditQuery { Kind = AuditKinds.AccessDenied, Limit = 100_000, Newest = true };
        foreach (var record in await audit.QueryAsync(query, cancellationToken))
        {
            var details = record.Event.Details;
            failures.Record(new AccessFailure
            {
                Status = details.TryGetValue("status", out var status) && status == "401" ? 401 : 403,
                Actor = record.Event.Actor,
                TokenId = details.GetValueOrDefault("tokenId"),
                SandboxId = record.Event.SandboxId,
                Reason = details.GetValueOrDefault("reason") ?? "",
                Action = details.GetValueOrDefault("action"),
                Time = record.Time,
            });
        }
    }
}
