using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Airlock.Server.Previews;

/// <summary>
/// Forwards one request to the server inside the sandbox and streams its answer back: method, path below the
/// preview's prefix, query, headers (less hop-by-hop ones and the preview's own credentials), body both ways as it
/// comes. Redirects to an absolute path are kept under the prefix.
/// </summary>
internal static class PreviewProxy
{
    public const string TokenQuery = "airlock_token";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host",
    };

    public static string CookieName(Preview preview) => "airlock_preview_" + preview.Id;

    public static string Prefix(Preview preview) => $"/preview/{preview.Id}";

    public static HttpRequestMessage BuildRequest(HttpContext context, Preview preview, string path, bool stripAuthorization)
    {
        var incoming = context.Request;
        var query = QueryString.Create(incoming.Query.Where(q => q.Key != TokenQuery).SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri($"http://localhost:{preview.Port}/{path}{query}"))
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        bool hasBody = incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0
            || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        if (hasBody) request.Content = new StreamContent(incoming.Body);

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (stripAuthorization && name.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase)) continue;
            if (name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase))
            {
                var kept = WithoutPreviewCookie(values.ToString(), CookieName(preview));
                if (kept.Length > 0) request.Headers.TryAddWithoutValidation(name, kept);
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()) && request.Content is not null)
            {
                request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        request.Headers.Host = $"localhost:{preview.Port}";
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", Prefix(preview));
        if (context.Connection.RemoteIpAddress is { } remote) request.Headers.TryAddWithoutValidation("X-Forwarded-For", remote.ToString());
        return request;
    }

    public static async Task CopyResponseAsync(HttpContext context, Preview preview, HttpResponseMessage answer)
    {
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (HopByHop.Contains(name)) continue;
            response.Headers[name] = values.ToArray();
        }

        // A redirect to /x inside the sandbox means /preview/{id}/x here.
        if (response.Headers.Location.ToString() is { Length: > 1 } location && location[0] == '/' && location[1] != '/')
        {
            response.Headers.Location = Prefix(preview) + location;
        }

        await using var body = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        byte[] buffer = new byte[32 * 1024];
        int n;
        await response.StartAsync(context.RequestAborted);
        while ((n = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static string WithoutPreviewCookie(string header, string name) =>
        string.Join("; ", header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(c => !c.StartsWith(name + "=", StringComparison.Ordinal)));
}
