using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Airlock.Integration.Tests;

/// <summary>
/// A real daemon on its own data directory with an admin HTTP client; sandboxes created through it are destroyed
/// when it is disposed. For tests that speak the REST API directly (SSE streams, raw status codes).
/// </summary>
internal sealed class DaemonSession : IAsyncDisposable
{
    private readonly TempDataDir _data = new();
    private readonly List<string> _created = [];

    private DaemonSession(IDictionary<string, string>? environment)
    {
        Daemon = new DaemonProcess(_data.Path, environment);
    }

    public DaemonProcess Daemon { get; }

    public HttpClient Http { get; private set; } = null!;

    public string DataPath => _data.Path;

    /// <summary>Starts a daemon; <paramref name="environment"/> is added to its process's (e.g. a test internet's names).</summary>
    public static async Task<DaemonSession> StartAsync(IDictionary<string, string>? environment = null)
    {
        var session = new DaemonSession(environment);
        await session.Daemon.StartAsync();
        session.Http = AdminApi.Client(session.Daemon, TimeSpan.FromMinutes(2));
        return session;
    }

    /// <summary>POST /v1/sandboxes with <paramref name="body"/>; the created sandbox's info.</summary>
    public async Task<JsonElement> CreateSandboxAsync(object body)
    {
        var response = await Http.PostAsync("/v1/sandboxes", Json(JsonSerializer.Serialize(body)));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var info = JsonDocument.Parse(text);
        _created.Add(info.RootElement.GetProperty("id").GetString()!);
        return info.RootElement.Clone();
    }

    /// <summary>An SDK client with the admin token; the caller disposes it.</summary>
    public Client.AirlockClient AdminClient() => new(Daemon.Url, Daemon.Token);

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>The data of the next Server-Sent Event named <paramref name="eventName"/> (60 s at most).</summary>
    public static async Task<string> ReadEventDataAsync(StreamReader reader, string eventName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? current = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) current = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && current == eventName) return line[6..];
        }

        throw new EndOfStreamException("the event stream ended");
    }

    private async Task<IEnumerable<string>> KnownSandboxesAsync()
    {
        try
        {
            return (await Http.SandboxIdsAsync()).Union(_created).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return _created;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Http is not null)
        {
            // Every sandbox the daemon knows, not only those made through CreateSandboxAsync: a test that posts its own
            // creates and fails half-way must not leave sandboxes running after its daemon is gone.
            await Http.DeleteSandboxesAsync(await KnownSandboxesAsync());
            Http.Dispose();
        }

        await Daemon.DisposeAsync();
        _data.Dispose();
    }
}
