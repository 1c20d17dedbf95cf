using Airlock.Audit;

namespace Airlock.Server;

/// <summary>The audit trail the daemon serves under <c>/v1/audit</c>: the log it queries and the verifier that checks it.</summary>
public sealed record AuditTrail(IAuditLog Log, IAuditVerifier Verifier);
