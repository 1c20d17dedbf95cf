using Airlock.Access;
using Airlock.Governance.AccessFailures;
using Airlock.Governance.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Http;

/// <summary>
/// Authentication: every route but <c>GET /health</c> needs <c>Authorization: Bearer</c> with the admin token or a
/// scoped token minted by this daemon. Sets <see cref="CallerContext"/> for the rest of the request; what the caller
/// may do is <see cref="ScopeMiddleware"/>'s concern. Runs after routing, so a refusal can name the sandbox it was for.
/// </summary>
internal sealed class BearerAuthMiddleware(RequestDelegate next, string adminToken, TokenService tokens, AccessDenialRecorder denials)
{
    private static readonly Caller Anonymous = new() { Actor = AccessDenialRecorder.AnonymousActor, Name = AccessDenialRecorder.AnonymousActor };

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            // Not left at the default (the local user, an admin): a route that forgot its requirement must fail closed.
            CallerContext.Set(Anonymous);
            await next(context);
            return;
        }

        if (context.Request.Path.StartsWithSegments("/preview", StringComparison.Ordinal))
        {
            // Previews carry their own token (PreviewEndpoints), never an API token: a preview link handed to a
            // browser must not be able to call the API, and an API token does not open a preview.
            CallerContext.Set(Anonymous);
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        if (header.Length == 0 || string.IsNullOrEmpty(presented))
        {
            await RefuseAsync(context, null, header.Length == 0
                ? "missing bearer token; send 'Authorization: Bearer <token>' with the token from the daemon's admin.token file or one from 'airlock token create'"
                : "invalid bearer token; the Authorization header must be 'Bearer <token>'");
            return;
        }

        if (AdminToken.Matches(adminToken, presented))
        {
            CallerContext.Set(Caller.Admin);
            await next(context);
            return;
        }

        if (!TokenService.LooksLikeToken(presented))
        {
            await RefuseAsync(context, null, "invalid bearer token; use the token from the daemon's admin.token file or one from 'airlock token create'");
            return;
        }

        var check = await tokens.ValidateAsync(presented, context.RequestAborted);
        if (check.Caller is null)
        {
            await RefuseAsync(context, check.TokenId, $"invalid bearer token: {check.Failure}");
            return;
        }

        CallerContext.Set(check.Caller);
        await next(context);
    }

    private async Task RefuseAsync(HttpContext context, string? tokenId, string reason)
    {
        await denials.RecordAsync(
            StatusCodes.Status401Unauthorized,
            tokenId is null ? AccessDenialRecorder.AnonymousActor : $"token:{tokenId}",
            tokenId,
            SandboxRoute.IdOf(context),
            reason,
            $"{context.Request.Method} {context.Request.Path}",
            context.RequestAborted);
        await Problems.WriteAsync(context, AirlockErrorKind.Unauthorized, reason);
    }
}
