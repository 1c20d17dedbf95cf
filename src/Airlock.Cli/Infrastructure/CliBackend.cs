using System.CommandLine;
using System.Net;
using Airlock.Audit.Sqlite;
using Airlock.Client;
using Airlock.Core;
using Airlock.Core.Images;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// What the verbs work through: the embedded engine (no daemon; state in the same data directory) or a
/// daemon's REST API (<c>--host</c> / <c>AIRLOCK_HOST</c>). Both are an <see cref="ISandboxOperations"/>,
/// so each verb is written once.
/// </summary>
internal sealed class CliBackend : IAsyncDisposable
{
    private readonly IAsyncDisposable? _engine;
    private readonly AirlockClient? _client;

    private CliBackend(ISandboxOperations sandboxes, IImageStore images, IApprovalOperations approvals, IPolicyOperations policies, IAsyncDisposable? engine, AirlockClient? client)
    {
        Sandboxes = sandboxes;
        Approvals = approvals;
        Policies = policies;
        Images = images;
        _engine = engine;
        _client = client;
    }

    public ISandboxOperations Sandboxes { get; }

    public IImageStore Images { get; }

    /// <summary>The code interpreter: the daemon's over REST, or the embedded governed stage's (so cells are judged and audited).</summary>
    public ICodeOperations Code => (ICodeOperations)Sandboxes;

    public IApprovalOperations Approvals { get; }

    public IPolicyOperations Policies { get; }

    public bool IsRemote => _client is not null;

    public static async Task<CliBackend> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (RemoteClient(parse) is { } client) return new CliBackend(client.Operations, new RemoteImageStore(client), client.Approvals, client.Policies, engine: null, client);
        var paths = GlobalOptions.Paths(parse);
        var engine = await EngineFactory.StartAsync(paths, runReaper: false, cancellationToken);
        var audit = new SqliteAuditLog(new SqliteAuditLogOptions { DatabasePath = paths.Audit, SigningKeyPath = paths.AuditSigningKey });
        var governance = EngineFactory.Govern(engine, audit);
        return new CliBackend(governance, engine.Images, governance.Approvals, engine.Policies, new EmbeddedEngine(engine, audit), client: null);
    }

    /// <summary>A client of the daemon named by <c>--host</c> / <c>AIRLOCK_HOST</c>, or null when the verb works embedded.</summary>
    public static AirlockClient? RemoteClient(ParseResult parse) =>
        GlobalOptions.HostAddress(parse) is { } host ? Connect(host, GlobalOptions.Paths(parse)) : null;

    /// <summary>A client for the daemon at <paramref name="host"/>, with AIRLOCK_TOKEN or the local admin token.</summary>
    public static AirlockClient Connect(string host, AirlockPaths paths) => new(ParseHost(host), TokenFor(host, paths));

    private static Uri ParseHost(string host)
    {
        var text = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--host: '{host}' is not a daemon address; use e.g. http://127.0.0.1:7070");
    }

    /// <summary>AIRLOCK_TOKEN, or — when the daemon is on this machine — its admin token file.</summary>
    private static string TokenFor(string host, AirlockPaths paths)
    {
        if (Environment.GetEnvironmentVariable("AIRLOCK_TOKEN") is { Length: > 0 } token) return token.Trim();
        var uri = ParseHost(host);
        var local = uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
        if (local && File.Exists(paths.AdminToken))
        {
            try
            {
                return File.ReadAllText(paths.AdminToken).Trim();
            }
            catch (UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read {paths.AdminToken}; set AIRLOCK_TOKEN or run as the daemon's user");
            }
        }

        throw new UsageException($"no token for {host}: set AIRLOCK_TOKEN to the daemon's token (its admin.token file{(local ? $"; not found at {paths.AdminToken}, pass --data DIR" : "")})");
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_engine is not null) await _engine.DisposeAsync();
    }

    /// <summary>The embedded engine and the audit log its governance stage writes to, closed together (the log flushes first).</summary>
    private sealed class EmbeddedEngine(IAsyncDisposable engine, IAsyncDisposable audit) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await audit.DisposeAsync();
            await engine.DisposeAsync();
        }
    }

    /// <summary>The daemon's image store, over HTTP.</summary>
    private sealed class RemoteImageStore(AirlockClient client) : IImageStore
    {
        public Task<string> GetRootfsAsync(string name, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("a remote image has no local root filesystem");

        public Task<ImageInfo> BuildAsync(string name, IReadOnlyList<string> packages, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
        {
            progress?.Report($"building image {name} on the daemon (this takes minutes)");
            return client.BuildImageAsync(name, packages, cancellationToken);
        }

        public Task<IReadOnlyList<ImageInfo>> ListAsync(CancellationToken cancellationToken = default) => client.ListImagesAsync(cancellationToken);

        public Task RemoveAsync(string name, CancellationToken cancellationToken = default) => client.RemoveImageAsync(name, cancellationToken);
    }
}
