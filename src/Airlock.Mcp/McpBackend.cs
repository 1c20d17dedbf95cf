using Airlock.Governance.AccessFailures;

namespace Airlock.Mcp;

/// <summary>
/// What the MCP tools work through: the same operations the REST API uses (in the daemon, the governed ones, so
/// policy, approvals and audit apply to every tool call with the MCP caller's identity), or a daemon's over HTTP
/// when <c>airlock mcp --host</c> runs. The MCP layer only adapts; it never reaches a sandbox another way.
/// </summary>
public sealed record McpBackend
{
    public required ISandboxOperations Sandboxes { get; init; }

    /// <summary>The code interpreter; null where this build has none (run_code then answers with a tool error).</summary>
    public ICodeOperations? Code { get; init; }

    /// <summary>Where a held call's pending approval is looked up, to tell the MCP client how to resolve it.</summary>
    public IApprovalOperations? Approvals { get; init; }

    /// <summary>
    /// The daemon's refusal recorder: a 403 of a tool call is counted and audited like a 403 of a REST route.
    /// Null in the CLI, where the caller is the local user or the daemon behind <c>--host</c> judges.
    /// </summary>
    public AccessDenialRecorder? Denials { get; init; }

    /// <summary>The image run_code creates a sandbox from when the call names none.</summary>
    public string DefaultImage { get; init; } = "python";
}
