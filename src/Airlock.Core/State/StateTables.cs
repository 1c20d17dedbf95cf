using Microsoft.Data.Sqlite;

namespace Airlock.Core.State;

/// <summary>
/// Connections to the daemon's state database for one store whose tables are made on its first use: every connection
/// gets the busy timeout, and the schema runs until it has once succeeded. Marking the tables made before they were
/// (or running the schema after a row-returning PRAGMA in one command, where a later statement's failure can pass
/// unseen) left a store that met a full disk on its first call answering "no such table" until a restart.
/// </summary>
internal sealed class StateTables(string databasePath, string schema)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private int _made;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, "PRAGMA busy_timeout = 10000", cancellationToken);
            if (Volatile.Read(ref _made) == 0)
            {
                await ExecuteAsync(connection, schema, cancellationToken);
                Volatile.Write(ref _made, 1);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
