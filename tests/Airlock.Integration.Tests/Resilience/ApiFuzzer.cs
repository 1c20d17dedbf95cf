using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// Sends generated requests at every operation of the daemon's OpenAPI document and keeps every answer that is a
/// 5xx (the daemon's fault, never the caller's). Path parameters are often a real sandbox's id, so the requests
/// reach the engine, the guest agent and the policy parser, not only the router.
/// </summary>
internal sealed class ApiFuzzer(Uri daemon, string token, IReadOnlyList<ApiRoute> routes, string canary, Func<string> sandboxId)
{
    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "text/plain", "application/octet-stream", "application/x-yaml",
        "application/json; charset=utf-16", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", "x/\u00e9;;", "",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    public int Sent;

    public int Timeouts;

    public int Dropped;

    public int StreamsCut;

    public readonly System.Collections.Concurrent.ConcurrentQueue<string> ServerErrors = new();

    public async Task RunAsync(int seed, int requests, CancellationToken cancellationToken)
    {
        var fuzz = new FuzzValues(seed);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = daemon, Timeout = Timeout.InfiniteTimeSpan };
        for (var i = 0; i < requests; i++)
        {
            using var request = TryBuild(fuzz);
            if (request is null) continue;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                var body = "";
                try
                {
                    // The status line is what is judged; a body that keeps coming (an event stream, a long exec) is cut short.
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    body = await ReadSomeAsync(response, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref StreamsCut);
                }

                // An exec stream is 200 before the command runs; a later internal failure arrives as its last line.
                if (status >= 500 || body.Contains("\"status\":500", StringComparison.Ordinal))
                {
                    ServerErrors.Enqueue($"seed {seed} #{i}: {request.Method} {Shorten(request.RequestUri!.ToString())} -> {status} {Shorten(body)}");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No status line within 20 s (a call held for approval, a create on a busy host): not a 5xx, counted.
                Interlocked.Increment(ref Timeouts);
            }
            catch (HttpRequestException)
            {
                // Kestrel answers an oversized upload early and closes while the client still sends; a daemon that
                // crashed would refuse every later request, which the caller's liveness check sees.
                Interlocked.Increment(ref Dropped);
            }

            Interlocked.Increment(ref Sent);
        }
    }

    /// <summary>Null when the client library itself refuses the request (a URI or header it cannot send).</summary>
    private HttpRequestMessage? TryBuild(FuzzValues fuzz)
    {
        try
        {
            return Build(fuzz);
        }
        catch (Exception e) when (e is UriFormatException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private HttpRequestMessage Build(FuzzValues fuzz)
    {
        var route = fuzz.Pick(routes);
        var method = fuzz.Chance(8) ? fuzz.Pick(Methods) : route.Method;
        var path = new StringBuilder();
        foreach (var segment in route.Template.Split('/'))
        {
            if (segment.Length == 0) continue;
            path.Append('/').Append(segment.StartsWith('{') ? Escape(fuzz, Parameter(fuzz, route, segment)) : segment);
        }

        var query = new List<string>();
        foreach (var name in route.QueryParameters.Where(_ => fuzz.Chance(75)))
        {
            query.Add(name + "=" + Escape(fuzz, name == "path" ? PathValue(fuzz) : fuzz.String()));
        }

        if (fuzz.Chance(10)) query.Add(Escape(fuzz, fuzz.String()) + "=" + Escape(fuzz, fuzz.String()));
        var uri = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(uri, UriKind.Relative));
        if (fuzz.Chance(96)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (fuzz.Chance(50)) request.Headers.TryAddWithoutValidation("Authorization", "Bearer alk_" + fuzz.String());

        if (method is "POST" or "PUT" or "PATCH" || fuzz.Chance(5)) request.Content = Body(fuzz, route);
        return request;
    }

    private string Parameter(FuzzValues fuzz, ApiRoute route, string segment)
    {
        // Image names: never one the shared image cache holds (a DELETE would remove it for every other test).
        if (route.Template.StartsWith("/v1/images", StringComparison.Ordinal)) return FuzzValues.Marker + fuzz.String();
        if (segment == "{id}" && route.Template.StartsWith("/v1/sandboxes/", StringComparison.Ordinal) && fuzz.Chance(route.Method == "DELETE" && !route.Template.Contains("files", StringComparison.Ordinal) ? 5 : 60))
        {
            return sandboxId();
        }

        if (segment == "{pid}" && fuzz.Chance(50)) return fuzz.Number();
        return fuzz.String();
    }

    private string PathValue(FuzzValues fuzz) => fuzz.Next(6) switch
    {
        0 => canary + "/secret.txt",
        1 => "/workspace/../../../../.." + canary + "/" + FuzzValues.Marker,
        2 => "/workspace/link",
        3 => "/workspace/dirlink/" + fuzz.Pick(new[] { "secret.txt", FuzzValues.Marker, "sub", "sub/inner.txt" }),
        4 => "/workspace/" + FuzzValues.Marker + fuzz.String(),
        _ => fuzz.String(),
    };

    private static HttpContent Body(FuzzValues fuzz, ApiRoute route)
    {
        HttpContent content;
        if (route.Template == "/v1/images" && route.Method == "POST")
        {
            // Only ever unfinished JSON here: a well-formed body would start an image build (minutes, a package mirror).
            content = new StringContent("{\"name\":" + fuzz.JsonValue(), Encoding.UTF8);
        }
        else if (route.Template.StartsWith("/v1/policies", StringComparison.Ordinal) || fuzz.Chance(8))
        {
            content = new StringContent(fuzz.PolicyText(), Encoding.UTF8);
        }
        else if (route.BodyFields.Count == 0 && fuzz.Chance(50))
        {
            content = new ByteArrayContent(fuzz.Bytes(fuzz.Chance(5) ? 2 << 20 : 4096));
        }
        else
        {
            var fields = route.BodyFields;
            var json = fuzz.JsonBody(fields);
            if (route.Template == "/v1/sandboxes" && fuzz.Chance(30)) json = "{\"policy\":" + System.Text.Json.JsonSerializer.Serialize(fuzz.PolicyText()) + "}";
            content = fuzz.Chance(3) ? new ByteArrayContent(Encoding.UTF8.GetBytes(json).Concat(new byte[] { 0xff, 0xfe, 0 }).ToArray()) : new StringContent(json, Encoding.UTF8);
        }

        content.Headers.Remove("Content-Type");
        var type = fuzz.Pick(ContentTypes);
        if (type.Length > 0) content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    private static string Escape(FuzzValues fuzz, string value)
    {
        if (value.Length > 10_000) value = value[..10_000];
        // Mostly escaped as a client would; sometimes raw, so %-sequences and separators reach the router as sent.
        return fuzz.Chance(85) ? Uri.EscapeDataString(value) : value.Replace("?", "%3F", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal);
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[64 << 10];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0) total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
