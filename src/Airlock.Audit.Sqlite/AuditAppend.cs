namespace Airlock.Audit.Sqlite;

/// <summary>
/// One queued append and the caller waiting for its commit; a null event asks the writer for a timed checkpoint.
/// The parts of the record that do not depend on its place in the chain are encoded here, on the appender's
/// thread, so the single writer does as little per record as it can.
/// </summary>
internal sealed class AuditAppend
{
    public static readonly AuditAppend CheckpointTick = new(null);

    public AuditAppend(AuditEvent? auditEvent)
    {
        if (auditEvent is null) return;
        // An empty sandbox id and none hash the same (AuditCanonicalForm); store them the same too.
        Event = auditEvent.SandboxId is { Length: 0 } ? auditEvent with { SandboxId = null } : auditEvent;
        string[] sortedKeys = [.. AuditCanonicalForm.SortedKeys(Event.Details)];
        EventFields = AuditCanonicalForm.EventFields(Event, sortedKeys);
        DetailsJson = AuditDetailsJson.SerializeUtf8(Event.Details, sortedKeys);
    }

    public AuditEvent? Event { get; }

    public byte[] EventFields { get; } = [];

    /// <summary>The details column as UTF-8 JSON, ready to bind.</summary>
    public byte[] DetailsJson { get; } = "{}"u8.ToArray();

    /// <summary>Continuations run off the writer's thread, so a caller's code never runs inside the write loop.</summary>
    public TaskCompletionSource<AuditRecord> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
