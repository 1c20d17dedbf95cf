using Airlock.Core.State;
using Airlock.Policy;
using Microsoft.Data.Sqlite;

namespace Airlock.Core.Governance;

/// <summary>
/// Per-sandbox sliding windows of command starts, for <c>limits.exec_rate</c>. Kept in the data directory's SQLite
/// file, because the daemon and every embedded CLI process start commands in the same sandbox and must share one
/// count; each check is one immediate transaction, so two processes cannot both take the last slot.
/// </summary>
internal sealed class ExecRateGate(string databasePath)
{
    private readonly StateTables _tables = new(databasePath, """
        CREATE TABLE IF NOT EXISTS exec_starts (sandbox_id TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS exec_starts_sandbox ON exec_starts (sandbox_id, at);
        """);

    /// <summary>Records a start and returns null, or returns how long until one more start fits the limit.</summary>
    public async Task<TimeSpan?> TryStartAsync(string sandboxId, ExecRateLimit limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        var since = (now - limit.Window).ToUnixTimeMilliseconds();
        await ExecuteAsync(connection, "DELETE FROM exec_starts WHERE sandbox_id = $id AND at <= $since", cancellationToken, ("$id", sandboxId), ("$since", since));
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), MIN(at) FROM exec_starts WHERE sandbox_id = $id";
        count.Parameters.AddWithValue("$id", sandboxId);
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) >= limit.Count)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)) + limit.Window - now;
            }
        }

        await ExecuteAsync(connection, "INSERT INTO exec_starts (sandbox_id, at) VALUES ($id, $at)", cancellationToken, ("$id", sandboxId), ("$at", now.ToUnixTimeMilliseconds()));
        transaction.Commit();
        return null;
    }

    public async Task ForgetAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "DELETE FROM exec_starts WHERE sandbox_id = $id", cancellationToken, ("$id", sandboxId));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
