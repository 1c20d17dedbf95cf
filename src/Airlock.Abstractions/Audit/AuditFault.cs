namespace Airlock.Audit;

/// <summary>The first place where the audit trail is not what was written: a record's sequence number and a sentence a person can act on.</summary>
public sealed record AuditFault(long Sequence, string Reason);
