namespace Airlock.Audit;

/// <summary>
/// The append-only, hash-chained audit trail. <see cref="AppendAsync"/> completes once the record is durable
/// (committed), so an acknowledged action is never lost; implementations batch concurrent appends.
/// </summary>
public interface IAuditLog
{
    Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Records matching <paramref name="query"/>, oldest first.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every record appended after this call, as it is appended (anomaly rules, SSE streams).</summary>
    IDisposable Subscribe(Action<AuditRecord> observer);
}
