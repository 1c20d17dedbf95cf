using System.Text.Json;
using Airlock.Access;
using Microsoft.Data.Sqlite;

namespace Airlock.Governance.Tokens;

/// <summary>
/// The token table in SQLite (WAL): the daemon validates against it on every request and the embedded CLI may mint
/// or revoke in the same file, so a revocation by either takes effect on the next request. One short-lived
/// connection per call keeps the two processes from holding locks between requests.
/// </summary>
internal sealed class TokenStore
{
    private const string Columns = "id, name, scopes, sandbox, labels, issued_at, expires_at, revoked_at, minted_by, secret_hash";
    private readonly string _connectionString;

    public TokenStore(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        Directory.CreateDirectory(directory);
        if (!File.Exists(databasePath))
        {
            // Born owner-only (SQLite gives its -wal and -shm files the same mode): the table holds no secret, but
            // names, scopes and bindings are nobody else's business.
            try
            {
                using var _ = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            }
            catch (IOException) when (File.Exists(databasePath))
            {
            }
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                scopes TEXT NOT NULL,
                sandbox TEXT,
                labels TEXT,
                issued_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER,
                minted_by TEXT NOT NULL,
                secret_hash BLOB NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    public async Task InsertAsync(TokenRecord record, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO tokens ({Columns}) VALUES ($id, $name, $scopes, $sandbox, $labels, $issued, $expires, NULL, $by, $hash)";
        var info = record.Info;
        command.Parameters.AddWithValue("$id", info.Id);
        command.Parameters.AddWithValue("$name", info.Name);
        command.Parameters.AddWithValue("$scopes", string.Join(' ', info.Scopes));
        command.Parameters.AddWithValue("$sandbox", (object?)info.Sandbox ?? DBNull.Value);
        command.Parameters.AddWithValue("$labels", info.Labels is null ? DBNull.Value : JsonSerializer.Serialize(info.Labels));
        command.Parameters.AddWithValue("$issued", info.IssuedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", info.ExpiresAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$by", info.MintedBy);
        command.Parameters.AddWithValue("$hash", record.SecretHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<TokenRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE id = $id", id, cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<TokenRecord>> ListAsync(CancellationToken cancellationToken) =>
        QueryAsync("ORDER BY issued_at, id", null, cancellationToken);

    /// <summary>Sets the revocation time unless one is set already (the first revocation is the one that counts).</summary>
    public async Task RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tokens SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private async Task<IReadOnlyList<TokenRecord>> QueryAsync(string where, string? id, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM tokens {where}";
        if (id is not null) command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<TokenRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new TokenRecord
            {
                Info = new TokenInfo
                {
                    Id = reader.GetString(0),
                    Name = reader.GetString(1),
                    Scopes = reader.GetString(2).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    Sandbox = reader.IsDBNull(3) ? null : reader.GetString(3),
                    Labels = reader.IsDBNull(4) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4)),
                    IssuedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                    RevokedAt = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    MintedBy = reader.GetString(8),
                },
                SecretHash = (byte[])reader.GetValue(9),
            });
        }

        return records;
    }
}
