namespace Airlock.Audit.Sqlite;

/// <summary>
/// Queries an <c>audit.db</c> without writing to it: for <c>airlock audit</c> beside (or without) a running daemon.
/// A missing file reads as an empty trail; unlike <see cref="SqliteAuditLog"/> it never creates the file or a key.
/// </summary>
public sealed class SqliteAuditReader(string databasePath)
{
    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(databasePath)) return Task.FromResult<IReadOnlyList<AuditRecord>>([]);
        using var connection = AuditDatabase.OpenForReading(databasePath);
        return Task.FromResult(AuditDatabase.HasTables(connection) ? AuditQuerySql.Run(connection, query) : []);
    }
}
