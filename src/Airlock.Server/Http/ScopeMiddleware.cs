using Airlock.Access;
using Airlock.Governance.AccessFailures;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Http;

/// <summary>
/// Authorization, after routing and <see cref="BearerAuthMiddleware"/>: the route's <see cref="AccessRequirement"/>
/// against the caller's scopes, and the sandbox the route names (<see cref="SandboxRoute"/>) against the
/// caller's binding. Every 403 of the request — these, and those thrown further in (create outside the selector, a
/// mint wider than the minter, the policy layer's) — is counted and audited here, once.
/// </summary>
internal sealed class ScopeMiddleware(RequestDelegate next, ISandboxOperations sandboxes, AccessDenialRecorder denials)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var caller = CallerContext.Current;
        var sandboxId = SandboxRoute.IdOf(context);
        try
        {
            await AuthorizeAsync(context, caller, sandboxId);
            await next(context);
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.Forbidden && !context.Response.HasStarted)
        {
            await denials.RecordAsync(StatusCodes.Status403Forbidden, caller.Actor, caller.TokenId, sandboxId, e.Message,
                $"{context.Request.Method} {context.Request.Path}", context.RequestAborted);
            throw;
        }
    }

    private async Task AuthorizeAsync(HttpContext context, Caller caller, string? sandboxId)
    {
        // No endpoint: routing answers 404/405 itself, and reveals nothing a token could not already see.
        var endpoint = context.GetEndpoint();
        if (endpoint is null || caller.IsAdmin) return;
        var requirement = endpoint.Metadata.GetMetadata<AccessRequirement>();
        if (requirement is { Anonymous: true } or { PerCall: true }) return;

        var route = $"{context.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path}";
        if (requirement?.Scope is not { } scope)
        {
            throw AirlockException.Forbidden($"{route} is for the admin token only; {Describe(caller)} may not call it");
        }

        if (!caller.Has(scope))
        {
            throw AirlockException.Forbidden($"{Describe(caller)} lacks the scope '{scope}' that {route} needs (it has: {string.Join(", ", caller.Scopes.Order(StringComparer.Ordinal))})");
        }

        if (sandboxId is null) return;
        if (caller.SandboxId is { } bound && bound != sandboxId)
        {
            throw AirlockException.Forbidden($"{Describe(caller)} is bound to sandbox {bound}; it may not touch sandbox {sandboxId}");
        }

        if (caller.LabelSelector is { } selector)
        {
            var sandbox = await sandboxes.GetAsync(sandboxId, context.RequestAborted);
            if (!caller.MayTouch(sandbox.Id, sandbox.Labels))
            {
                throw AirlockException.Forbidden($"{Describe(caller)} is bound to sandboxes labelled {SandboxBinding.Describe(selector)}; sandbox {sandboxId} does not carry them");
            }
        }
    }

    private static string Describe(Caller caller) => caller.TokenId is { } id ? $"token {id} ({caller.Name})" : caller.Actor;
}
