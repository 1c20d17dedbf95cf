using Airlock.Audit;

namespace Airlock.Governance.Tests;

/// <summary>An in-memory <see cref="IAuditLog"/> that keeps what was appended, for assertions (no hash chain).</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    private readonly object _gate = new();

    public IReadOnlyList<AuditEvent> Events
    {
        get
        {
            lock (_gate) return _records.Select(r => r.Event).ToList();
        }
    }

    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var record = new AuditRecord { Sequence = _records.Count + 1, Time = DateTimeOffset.UtcNow, Event = auditEvent, PreviousHash = "", Hash = "" };
            _records.Add(record);
            return Task.FromResult(record);
        }
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<AuditRecord> matches = _records.Where(r => query.Kind is null || r.Event.Kind == query.Kind).ToList();
            return Task.FromResult(matches);
        }
    }

    public IDisposable Subscribe(Action<AuditRecord> observer) => throw new NotSupportedException();
}
