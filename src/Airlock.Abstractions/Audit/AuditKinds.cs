namespace Airlock.Audit;

/// <summary>The kinds of audit events, in one place so that queries, anomaly rules and docs agree.</summary>
public static class AuditKinds
{
    public const string ApiCall = "api.call";
    public const string SandboxCreated = "sandbox.created";
    public const string SandboxDestroyed = "sandbox.destroyed";
    public const string SandboxPaused = "sandbox.paused";
    public const string SandboxResumed = "sandbox.resumed";
    public const string Exec = "exec";
    public const string FileRead = "file.read";
    public const string FileWrite = "file.write";
    public const string FileDelete = "file.delete";
    public const string PolicyDecision = "policy.decision";
    public const string PolicyStored = "policy.stored";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalResolved = "approval.resolved";
    public const string TokenMinted = "token.minted";
    public const string TokenRevoked = "token.revoked";
    public const string AccessDenied = "access.denied";
    public const string NetworkDecision = "network.decision";
    public const string Anomaly = "anomaly";
    public const string ArtifactStored = "artifact.stored";
    public const string ArtifactRefused = "artifact.refused";
    public const string TerminalOpened = "terminal.opened";
    public const string TerminalClosed = "terminal.closed";
    public const string PortExposed = "port.exposed";
    public const string PortClosed = "port.closed";
    public const string PreviewConnection = "preview.connection";
}

/// <summary>Outcomes of audit events.</summary>
public static class AuditOutcomes
{
    public const string Ok = "ok";
    public const string Denied = "denied";
    public const string Failed = "failed";
    public const string Pending = "pending";
    public const string Alert = "alert";

    /// <summary>Every outcome, for validating filters.</summary>
    public static IReadOnlyList<string> All { get; } = [Ok, Denied, Failed, Pending, Alert];
}
