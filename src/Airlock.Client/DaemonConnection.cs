using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>One daemon: its address, the bearer token, and the turning of HTTP failures into <see cref="AirlockException"/>s.</summary>
internal sealed class DaemonConnection
{
    private readonly string _token;

    public DaemonConnection(HttpClient http, Uri baseAddress, string token)
    {
        Http = http;
        // A base without a trailing slash would drop its last segment when relative routes are resolved.
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _token = token;
    }

    public HttpClient Http { get; }

    public Uri BaseAddress { get; }

    public static string Escape(string value) => Uri.EscapeDataString(value);

    public HttpRequestMessage Request(HttpMethod method, string relative, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseAddress, relative)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return request;
    }

    /// <summary>The same bearer token on a WebSocket handshake (terminals).</summary>
    public void Authorize(System.Net.WebSockets.ClientWebSocketOptions options) =>
        options.SetRequestHeader("Authorization", "Bearer " + _token);

    /// <summary>The ws:// or wss:// address of <paramref name="relative"/>.</summary>
    public Uri WebSocketUri(string relative)
    {
        var builder = new UriBuilder(new Uri(BaseAddress, relative));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return builder.Uri;
    }

    /// <summary>Why a WebSocket handshake that got <paramref name="status"/> failed: the problem body of the same GET, when it says the same.</summary>
    public async Task<AirlockException> HandshakeFailureAsync(string relative, int status, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.SendAsync(Request(HttpMethod.Get, relative), HttpCompletionOption.ResponseContentRead, cancellationToken);
            if ((int)response.StatusCode == status) return await ToExceptionAsync(response, cancellationToken);
        }
        catch (HttpRequestException)
        {
        }

        return new AirlockException(WireFormat.KindOf(status), $"the daemon refused the terminal with {status}");
    }

    public static JsonContent Json<T>(T value) => JsonContent.Create(value, options: AirlockJson.Options);

    /// <summary>Sends; a non-success status becomes the <see cref="AirlockException"/> its problem body describes.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw AirlockException.Unavailable($"cannot reach the Airlock daemon at {BaseAddress}: {e.Message}; is `airlock serve` running there?", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw AirlockException.Unavailable($"the Airlock daemon at {BaseAddress} did not answer in time (HttpClient.Timeout)", e);
        }

        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
    }

    public async Task<T> SendJsonAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken))
        {
            try
            {
                return await response.Content.ReadFromJsonAsync<T>(AirlockJson.Options, cancellationToken)
                    ?? throw new AirlockException(AirlockErrorKind.Internal, $"the daemon answered {request.RequestUri?.AbsolutePath} with an empty body");
            }
            catch (JsonException e)
            {
                throw new AirlockException(AirlockErrorKind.Internal, $"the daemon's answer to {request.RequestUri?.AbsolutePath} is not what this client expects ({e.Message}); are client and daemon the same version?", e);
            }
        }
    }

    public async Task SendNoContentAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        using (await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken))
        {
        }
    }

    /// <summary>A GET whose body is handed to the caller unbuffered; disposing the stream releases the response.</summary>
    public async Task<Stream> OpenDownloadAsync(string relative, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Get, relative);
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch
        {
            request.Dispose();
            throw;
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new ResponseStream(body, response, request);
    }

    private static async Task<AirlockException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? detail = null;
        var kind = WireFormat.KindOf(status);
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (body.Length > 0 && body.TrimStart().StartsWith('{'))
            {
                var problem = JsonSerializer.Deserialize<Problem>(body, AirlockJson.Options);
                detail = problem?.Detail ?? problem?.Title;
            }
        }
        catch (JsonException)
        {
        }

        detail ??= $"the daemon answered {status} {response.ReasonPhrase}";
        return new AirlockException(kind, detail);
    }
}
