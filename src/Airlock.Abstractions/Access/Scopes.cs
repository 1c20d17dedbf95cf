namespace Airlock.Access;

/// <summary>The scopes a token can carry; one per kind of thing a caller does.</summary>
public static class Scopes
{
    public const string SandboxCreate = "sandbox:create";
    public const string SandboxRead = "sandbox:read";
    public const string SandboxDelete = "sandbox:delete";
    public const string SandboxExec = "sandbox:exec";

    /// <summary>Exposing a sandbox's port through the daemon (port previews), and closing it.</summary>
    public const string SandboxExpose = "sandbox:expose";
    public const string FilesRead = "files:read";
    public const string FilesWrite = "files:write";
    public const string ApprovalsResolve = "approvals:resolve";
    public const string AuditRead = "audit:read";
    public const string TokensMint = "tokens:mint";
    public const string PoliciesWrite = "policies:write";
    public const string ArtifactsRead = "artifacts:read";
    public const string ArtifactsWrite = "artifacts:write";

    public static IReadOnlyList<string> All { get; } =
        [SandboxCreate, SandboxRead, SandboxDelete, SandboxExec, SandboxExpose, FilesRead, FilesWrite, ApprovalsResolve, AuditRead, TokensMint, PoliciesWrite, ArtifactsRead, ArtifactsWrite];
}
