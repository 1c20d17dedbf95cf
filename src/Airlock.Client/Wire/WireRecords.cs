namespace Airlock.Client.Wire;

// Request and response envelopes of the REST API (docs/api.md). Lists are wrapped in an object so a
// field can be added later without breaking clients.

internal sealed record CreateSandboxBody
{
    public string? Image { get; init; }

    public string? Isolation { get; init; }

    public double? Cpus { get; init; }

    /// <summary>Bytes; the server also accepts a size string like "512m".</summary>
    public long? Memory { get; init; }

    public int? Pids { get; init; }

    public long? Disk { get; init; }

    /// <summary>Whole-sandbox TTL as a duration string ("90s", "1500ms"); the server also accepts seconds as a number.</summary>
    public string? Timeout { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>A policy document as text (YAML or JSON); the server also accepts it as a JSON object.</summary>
    public string? Policy { get; init; }
}

internal sealed record ExecBody
{
    public required IReadOnlyList<string> Command { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public string? Cwd { get; init; }

    public string? Timeout { get; init; }

    /// <summary>Base64 in JSON.</summary>
    public byte[]? Stdin { get; init; }
}

internal sealed record SignalBody(int Signal);

/// <summary>One cell for <c>POST /v1/sandboxes/{id}/code</c>; <c>timeout</c> is a duration like "30s" (a number is seconds).</summary>
internal sealed record CodeBody
{
    public required string Code { get; init; }

    public string? Language { get; init; }

    public string? Timeout { get; init; }
}

/// <summary>The optional body of <c>code/interrupt</c> and <c>code/restart</c>.</summary>
internal sealed record CodeLanguageBody(string? Language);

internal sealed record BuildImageBody(string Name, IReadOnlyList<string> Packages);

internal sealed record SandboxList(IReadOnlyList<SandboxInfo> Sandboxes);

internal sealed record ProcessList(IReadOnlyList<ProcessInfo> Processes);

internal sealed record FileList(IReadOnlyList<FileEntry> Entries);

internal sealed record ImageList(IReadOnlyList<ImageInfo> Images);

internal sealed record CreateTokenBody
{
    public string? Name { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public string? Sandbox { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>A duration string ("15m").</summary>
    public string? Ttl { get; init; }
}

internal sealed record TokenList(IReadOnlyList<Access.TokenInfo> Tokens);

internal sealed record AccessFailureReport(string SandboxId, Access.AccessFailureCounts FailedAccess);

internal sealed record ArtifactList(IReadOnlyList<Airlock.Artifacts.ArtifactInfo> Artifacts);

/// <summary>RFC 9457 problem details, the body of every error response.</summary>
internal sealed record Problem
{
    public string Type { get; init; } = "about:blank";

    public string? Title { get; init; }

    public int Status { get; init; }

    public string? Detail { get; init; }
}

internal sealed record ApprovalList(IReadOnlyList<ApprovalInfo> Approvals);

internal sealed record ResolveApprovalBody(string? Reason);

internal sealed record PolicyList(IReadOnlyList<PolicyInfo> Policies);

internal sealed record PlanBody(IReadOnlyList<PlanStep> Steps);

internal sealed record PlanResult(IReadOnlyList<PlanStepDecision> Steps);

internal sealed record AuditRecordList(IReadOnlyList<Audit.AuditRecord> Records);
