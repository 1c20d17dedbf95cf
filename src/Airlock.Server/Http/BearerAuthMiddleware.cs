using Microsoft.AspNetCore.Http;

namespace Airlock.Server.Http;

/// <summary>Every route but <c>GET /health</c> needs <c>Authorization: Bearer &lt;admin token&gt;</c>.</summary>
internal sealed class BearerAuthMiddleware(RequestDelegate next, string token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Problems.WriteAsync(context, AirlockErrorKind.Unauthorized,
                "missing bearer token; send 'Authorization: Bearer <token>' with the token from the daemon's admin.token file");
        }

        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        if (!AdminToken.Matches(token, presented))
        {
            return Problems.WriteAsync(context, AirlockErrorKind.Unauthorized,
                "invalid bearer token; use the token from the daemon's admin.token file");
        }

        Airlock.Access.CallerContext.Set(Airlock.Access.Caller.Admin);
        return next(context);
    }
}
