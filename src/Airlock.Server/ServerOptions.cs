using Microsoft.Extensions.Logging;

namespace Airlock.Server;

/// <summary>How the daemon's HTTP layer listens and what it accepts.</summary>
public sealed record ServerOptions
{
    /// <summary><c>host:port</c> to listen on; port 0 picks a free port (tests).</summary>
    public string Listen { get; init; } = "127.0.0.1:7070";

    /// <summary>File holding the admin bearer token; created (mode 0600) on first start.</summary>
    public required string AdminTokenPath { get; init; }

    /// <summary>Cap of JSON request bodies; larger ones get 413.</summary>
    public long MaxJsonBodyBytes { get; init; } = 1L << 20;

    /// <summary>Cap of file and tar upload bodies; larger ones get 413.</summary>
    public long MaxUploadBytes { get; init; } = 1L << 30;

    /// <summary>Cap of one artifact (PUT /v1/artifacts); larger ones get 413.</summary>
    public long MaxArtifactBytes { get; init; } = 1L << 30;

    /// <summary>The data directory (artifacts and their signing key live there); null: the admin token's directory.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How long an exec waits for its first event before committing to a 200 stream; errors within it are plain problem responses.</summary>
    public TimeSpan ExecStartGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sees every request before anything else answers it (401s included): the red-team battery keeps its own log of
    /// who reached its in-process daemon, the host-side evidence of its "Airlock's API" case. Null in production.
    /// </summary>
    public Action<Microsoft.AspNetCore.Http.HttpContext>? RequestObserver { get; init; }

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;
}
