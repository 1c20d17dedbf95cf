using System.Net.Http.Headers;
using Airlock.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Airlock.Server.Tests;

/// <summary>The real daemon HTTP stack on Kestrel (127.0.0.1, a free port) over the in-memory engine.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private ServerFixture(WebApplication app, string dataDirectory, InMemorySandboxOperations_ForHttpLayerTests engine, Uri address, string token)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        Engine = engine;
        Address = address;
        Token = token;
        Client = new AirlockClient(address, token);
        Http = new HttpClient { BaseAddress = address };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Anonymous = new HttpClient { BaseAddress = address };
    }

    public InMemorySandboxOperations_ForHttpLayerTests Engine { get; }

    /// <summary>The daemon's services (its <c>AirlockMetrics</c>, for one).</summary>
    public IServiceProvider Services => _app.Services;

    public Uri Address { get; }

    public string Token { get; }

    public string TokenPath => Path.Combine(_dataDirectory, "admin.token");

    public AirlockClient Client { get; }

    /// <summary>Raw HTTP with the token.</summary>
    public HttpClient Http { get; }

    /// <summary>Raw HTTP without a token.</summary>
    public HttpClient Anonymous { get; }

    public static async Task<ServerFixture> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "airlock-server-tests-" + Guid.NewGuid().ToString("N"));
        var options = new ServerOptions { Listen = "127.0.0.1:0", AdminTokenPath = Path.Combine(data, "admin.token"), MinimumLogLevel = LogLevel.Warning };
        options = configure?.Invoke(options) ?? options;
        var engine = new InMemorySandboxOperations_ForHttpLayerTests();
        var app = AirlockServer.Build(options, engine, engine);
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        var token = (await File.ReadAllTextAsync(options.AdminTokenPath)).Trim();
        return new ServerFixture(app, data, engine, address, token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
