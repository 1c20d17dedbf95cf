namespace Airlock.Access;

/// <summary>One refused request: a 401 (no valid credential) or a 403 (valid, but not allowed this).</summary>
public sealed record AccessFailure
{
    /// <summary>401 or 403.</summary>
    public required int Status { get; init; }

    /// <summary>As audit records name actors; <c>anonymous</c> when no valid token was shown.</summary>
    public required string Actor { get; init; }

    /// <summary>The token's id when it is one Airlock minted (a forged token's claimed id is not trusted).</summary>
    public string? TokenId { get; init; }

    /// <summary>The sandbox the request named, if any.</summary>
    public string? SandboxId { get; init; }

    /// <summary>What the caller was told: "lacks the scope files:write", "token expired at ...".</summary>
    public required string Reason { get; init; }

    /// <summary>The request, e.g. <c>PUT /v1/sandboxes/sb-1/files</c>.</summary>
    public string? Action { get; init; }

    public required DateTimeOffset Time { get; init; }
}
