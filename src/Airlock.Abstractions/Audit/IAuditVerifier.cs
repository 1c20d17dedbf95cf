namespace Airlock.Audit;

/// <summary>
/// Checks the audit trail end to end: every record's hash, every link to the record before it, and every signed
/// checkpoint. Separate from <see cref="IAuditLog"/> so that a reader (the API, <c>airlock audit verify</c>) can
/// check a trail it does not write.
/// </summary>
public interface IAuditVerifier
{
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);
}
