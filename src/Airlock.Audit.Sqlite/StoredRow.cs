namespace Airlock.Audit.Sqlite;

/// <summary>A row of <c>audit_records</c> as read back; <paramref name="WellFormed"/> is false when a column no longer parses (edited by hand).</summary>
internal sealed record StoredRow(AuditRecord Record, bool WellFormed)
{
    public long Sequence => Record.Sequence;

    /// <summary>Whether the stored hash is the hash of the stored fields, taken as if the record stood at <paramref name="sequence"/>.</summary>
    public bool HashesAt(long sequence) =>
        WellFormed && AuditCanonicalForm.Hash(sequence, Record.Time.ToUnixTimeMilliseconds(), Record.Event, Record.PreviousHash) == Record.Hash;
}
