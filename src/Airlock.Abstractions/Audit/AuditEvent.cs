namespace Airlock.Audit;

/// <summary>
/// One thing that happened, as the audit trail records it. The log assigns the sequence number, time and hashes
/// (<see cref="AuditRecord"/>); the caller says what happened, to which sandbox, by whom and with what outcome.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>Dotted kind, see <see cref="AuditKinds"/>: <c>exec</c>, <c>file.write</c>, <c>approval.resolved</c>, ...</summary>
    public required string Kind { get; init; }

    /// <summary>Who asked: <c>admin</c>, <c>token:ID</c>, <c>local:USER</c> (embedded CLI), <c>airlock</c> (the daemon itself).</summary>
    public required string Actor { get; init; }

    /// <summary><see cref="AuditOutcomes"/>: <c>ok</c>, <c>denied</c>, <c>failed</c>, <c>pending</c>, <c>alert</c>.</summary>
    public string Outcome { get; init; } = AuditOutcomes.Ok;

    public string? SandboxId { get; init; }

    /// <summary>Facts of the event (argv, exit code, path, rule, approver...). Never a secret's value.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
