using System.Net.Http.Headers;
using Airlock.Audit.Sqlite;
using Airlock.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Airlock.Server.Tests;

/// <summary>The real daemon HTTP stack on Kestrel (127.0.0.1, a free port) over the in-memory engine.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private ServerFixture(WebApplication app, string dataDirectory, InMemorySandboxOperations_ForHttpLayerTests engine, SqliteAuditLog audit, Uri address, string token)
    {
        _app = app;
        Audit = audit;
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

    /// <summary>The daemon's audit trail, a real SQLite file in the fixture's data directory.</summary>
    public SqliteAuditLog Audit { get; }

    public string AuditDatabasePath => Path.Combine(_dataDirectory, "audit.db");

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

    /// <param name="access">Builds the scoped-token service over the data directory (a fake clock, a recording audit log); the default is the daemon's own.</param>
    public static async Task<ServerFixture> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, Func<string, AccessControl>? access = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "airlock-server-tests-" + Guid.NewGuid().ToString("N"));
        var options = new ServerOptions { Listen = "127.0.0.1:0", AdminTokenPath = Path.Combine(data, "admin.token"), MinimumLogLevel = LogLevel.Warning };
        options = configure?.Invoke(options) ?? options;
        var engine = new InMemorySandboxOperations_ForHttpLayerTests();
        var audit = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = Path.Combine(data, "audit.db"), SigningKeyPath = Path.Combine(data, "audit.key") });
        var app = AirlockServer.Build(options, engine, engine, audit: new AuditTrail(audit, new AuditVerifier(Path.Combine(data, "audit.db"), Path.Combine(data, "audit.key"))), access: access?.Invoke(data));
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        var token = (await File.ReadAllTextAsync(options.AdminTokenPath)).Trim();
        return new ServerFixture(app, data, engine, audit, address, token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        Anonymous.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Audit.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
