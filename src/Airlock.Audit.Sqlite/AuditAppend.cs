namespace Airlock.Audit.Sqlite;

/// <summary>One queued append and the caller waiting for its commit; a null event asks the writer for a timed checkpoint.</summary>
internal sealed class AuditAppend(AuditEvent? auditEvent)
{
    public static readonly AuditAppend CheckpointTick = new(null);

    public AuditEvent? Event { get; } = auditEvent;

    /// <summary>Continuations run off the writer's thread, so a caller's code never runs inside the write loop.</summary>
    public TaskCompletionSource<AuditRecord> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
