using Airlock.Server.Http;
using Airlock.Server.Previews;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Airlock.Server.Endpoints;

/// <summary>
/// <c>/preview/{previewId}/{path}</c>, any method: the sandbox's server, behind the preview's own token (not an API
/// token). The token comes as <c>Authorization: Bearer</c>, or once as <c>?airlock_token=</c>, which sets an HttpOnly
/// cookie scoped to the preview's path so a browser can follow links.
/// </summary>
internal static class PreviewEndpoints
{
    public const string PathPrefix = "/preview/";

    public static void Map(WebApplication app)
    {
        app.Map("/preview/{previewId}/{**path}", (string previewId, string? path, HttpContext context, PreviewRegistry previews, ISandboxOperations sandboxes) =>
                ProxyAsync(previewId, path ?? "", context, previews, sandboxes))
            .WithName("Preview")
            .AllowAnonymousCaller()
            .ExcludeFromDescription();
    }

    private static async Task ProxyAsync(string previewId, string path, HttpContext context, PreviewRegistry previews, ISandboxOperations sandboxes)
    {
        var preview = await previews.FindAsync(previewId)
            ?? throw AirlockException.NotFound($"no preview '{previewId}': it was closed, it expired, or its sandbox was destroyed");
        try
        {
            await sandboxes.GetAsync(preview.SandboxId, context.RequestAborted);
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.NotFound)
        {
            await previews.CloseAsync(preview, "sandbox destroyed");
            throw AirlockException.NotFound($"no preview '{previewId}': its sandbox {preview.SandboxId} was destroyed");
        }

        var (token, fromHeader, fromQuery) = Presented(context, preview);
        if (token is null)
        {
            throw new AirlockException(AirlockErrorKind.Unauthorized,
                $"this preview needs its token: send 'Authorization: Bearer <token>' or open {PreviewProxy.Prefix(preview)}/?{PreviewProxy.TokenQuery}=<token> once (the token `airlock expose` printed)");
        }

        if (!preview.Accepts(token))
        {
            throw new AirlockException(AirlockErrorKind.Unauthorized, "wrong preview token; use the token `airlock expose` printed for this preview");
        }

        if (fromQuery)
        {
            context.Response.Cookies.Append(PreviewProxy.CookieName(preview), token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                Path = PreviewProxy.Prefix(preview) + "/",
                Expires = preview.ExpiresAt,
            });
        }

        preview.CountRequest();
        using var request = PreviewProxy.BuildRequest(context, preview, path, stripAuthorization: fromHeader);
        HttpResponseMessage answer;
        try
        {
            answer = await preview.Invoker.SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            var reason = (e.InnerException as AirlockException)?.Message ?? e.Message;
            await Problems.WriteAsync(context, new Client.Wire.Problem
            {
                Type = "urn:airlock:problem:bad-gateway",
                Title = "Bad Gateway",
                Status = StatusCodes.Status502BadGateway,
                Detail = $"preview of port {preview.Port} in sandbox {preview.SandboxId}: {reason}",
            });
            return;
        }

        using (answer)
        {
            await PreviewProxy.CopyResponseAsync(context, preview, answer);
        }
    }

    /// <summary>The token from the Authorization header, the query (first visit of a browser), or the preview's cookie.</summary>
    private static (string? Token, bool FromHeader, bool FromQuery) Presented(HttpContext context, Preview preview)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return (header[7..].Trim(), true, false);
        if (context.Request.Query[PreviewProxy.TokenQuery].ToString() is { Length: > 0 } query) return (query, false, true);
        return (context.Request.Cookies[PreviewProxy.CookieName(preview)], false, false);
    }
}
