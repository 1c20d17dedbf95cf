using Airlock.Access;

namespace Airlock.Mcp;

/// <summary>
/// Per-call authorization for MCP tools. The daemon's <c>/mcp</c> route admits any authenticated caller, because one
/// route carries every tool; each tool then asks here for the scope it needs and for the sandbox it touches, with the
/// same rules and the same messages as the REST routes (<c>ScopeMiddleware</c>).
/// </summary>
internal static class ToolAccess
{
    public static void Require(string tool, string scope)
    {
        var caller = CallerContext.Current;
        if (caller.Has(scope)) return;
        throw AirlockException.Forbidden($"{Describe(caller)} lacks the scope '{scope}' that the MCP tool {tool} needs (it has: {string.Join(", ", caller.Scopes.Order(StringComparer.Ordinal))})");
    }

    /// <summary>The scope, then the token's binding against the sandbox (by id, or by labels it must carry).</summary>
    public static async Task RequireAsync(string tool, string scope, string sandboxId, ISandboxOperations sandboxes, CancellationToken cancellationToken)
    {
        Require(tool, scope);
        var caller = CallerContext.Current;
        if (caller.IsAdmin) return;
        if (caller.SandboxId is { } bound && bound != sandboxId)
        {
            throw AirlockException.Forbidden($"{Describe(caller)} is bound to sandbox {bound}; it may not touch sandbox {sandboxId}");
        }

        if (caller.LabelSelector is { } selector)
        {
            var sandbox = await sandboxes.GetAsync(sandboxId, cancellationToken);
            if (!caller.MayTouch(sandbox.Id, sandbox.Labels))
            {
                throw AirlockException.Forbidden($"{Describe(caller)} is bound to sandboxes labelled {Labels(selector)}; sandbox {sandboxId} does not carry them");
            }
        }
    }

    /// <summary>
    /// A token bound to one sandbox cannot create any (it could never touch them); one bound by labels may create only
    /// sandboxes that carry its labels, as <c>POST /v1/sandboxes</c> rules.
    /// </summary>
    public static void RequireMayCreate(string tool, IReadOnlyDictionary<string, string> labels)
    {
        Require(tool, Scopes.SandboxCreate);
        var caller = CallerContext.Current;
        if (caller.IsAdmin) return;
        if (caller.SandboxId is { } bound)
        {
            throw AirlockException.Forbidden($"token {caller.TokenId} is bound to sandbox {bound} and cannot create sandboxes; pass its sandbox_id instead");
        }

        if (caller.LabelSelector is { } selector && !caller.MayTouch("", labels))
        {
            throw AirlockException.Forbidden($"token {caller.TokenId} is bound to sandboxes labelled {Labels(selector)}; give the new sandbox those labels");
        }
    }

    private static string Describe(Caller caller) => caller.TokenId is { } id ? $"token {id} ({caller.Name})" : caller.Actor;

    private static string Labels(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"));
}
