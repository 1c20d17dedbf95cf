using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>Opens <c>audit.db</c>: its own file, so that audit writes never wait behind sandbox state and the trail can be copied alone.</summary>
internal static class AuditDatabase
{
    /// <summary>
    /// WAL lets readers (the API, <c>airlock audit</c>) run beside the writer; synchronous=NORMAL because the log
    /// fsyncs the WAL itself after each commit, outside the write lock, before acknowledging (<see cref="WalFile"/>),
    /// so a record is still on disk before its append is acknowledged. The busy timeout covers another
    /// process (daemon and embedded CLI) holding the write lock for one batch.
    /// </summary>
    private const string Pragmas = """
        PRAGMA busy_timeout = 30000;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        """;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_records (
            seq INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            outcome TEXT NOT NULL,
            sandbox TEXT,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_records_sandbox ON audit_records (sandbox, seq);
        CREATE TABLE IF NOT EXISTS audit_checkpoints (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            signature TEXT NOT NULL
        );
        """;

    public static SqliteConnection OpenForWriting(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        // Records hold command lines and paths: owner-only, like the admin token. SQLite gives its -wal and -shm
        // files the database file's mode, so creating the (empty, valid) file first covers all three.
        if (!File.Exists(path))
        {
            try
            {
                new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }).Dispose();
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first.
            }
        }
        var connection = Open(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            Execute(connection, Pragmas + Schema);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A reader's connection; never creates the file or the tables.</summary>
    public static SqliteConnection OpenForReading(string path)
    {
        var connection = Open(path, SqliteOpenMode.ReadWrite);
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    public static bool HasTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_records', 'audit_checkpoints')";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 2;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }
}
