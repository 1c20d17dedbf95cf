using System.CommandLine;
using Airlock.Audit;
using Airlock.Audit.Sqlite;
using Airlock.Client;
using Airlock.Core;

namespace Airlock.Cli.Infrastructure;

/// <summary>
/// Where <c>airlock audit</c> reads the trail: <c>{data}/audit.db</c> directly (read-only; works with or without a
/// daemon, and never creates the file), or the daemon's API with <c>--host</c>.
/// </summary>
internal sealed class AuditSource : IDisposable
{
    private readonly AirlockClient? _client;
    private readonly SqliteAuditReader? _reader;
    private readonly AuditVerifier? _verifier;

    private AuditSource(AirlockClient? client, AirlockPaths? paths)
    {
        _client = client;
        if (paths is null) return;
        _reader = new SqliteAuditReader(paths.Audit);
        _verifier = new AuditVerifier(paths.Audit, paths.AuditSigningKey);
    }

    public static AuditSource Open(ParseResult parse) =>
        CliBackend.RemoteClient(parse) is { } client ? new AuditSource(client, paths: null) : new AuditSource(client: null, GlobalOptions.Paths(parse));

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        _client is not null ? _client.Audit.QueryAsync(query, cancellationToken) : _reader!.QueryAsync(query, cancellationToken);

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) =>
        _client is not null ? _client.Audit.VerifyAsync(cancellationToken) : _verifier!.VerifyAsync(cancellationToken);

    public void Dispose() => _client?.Dispose();
}
