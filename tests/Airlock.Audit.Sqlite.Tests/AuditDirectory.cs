using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite.Tests;

/// <summary>A temporary data directory with an audit.db and its key; raw SQL plays the attacker who can write the file.</summary>
internal sealed class AuditDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("airlock-audit-tests-").FullName;

    public string Database => System.IO.Path.Combine(Path, "audit.db");

    public string Key => System.IO.Path.Combine(Path, "audit.key");

    public SqliteAuditLog Open(int checkpointEvery = 1000, TimeProvider? time = null, Action<Exception>? observerFailed = null) =>
        new(new SqliteAuditLogOptions { DatabasePath = Database, SigningKeyPath = Key, CheckpointEvery = checkpointEvery, ObserverFailed = observerFailed }, time);

    /// <summary>Appends <paramref name="count"/> events through a log that is closed again (which writes a last checkpoint).</summary>
    public async Task<IReadOnlyList<AuditRecord>> FillAsync(int count, int checkpointEvery = 1000)
    {
        await using var log = Open(checkpointEvery);
        var records = new List<AuditRecord>();
        for (var i = 1; i <= count; i++) records.Add(await log.AppendAsync(Event(i)));
        return records;
    }

    public static AuditEvent Event(int i, string? sandbox = null) => new()
    {
        Kind = i % 2 == 0 ? AuditKinds.Exec : AuditKinds.FileWrite,
        Actor = "admin",
        SandboxId = sandbox ?? $"sb-{i % 3}",
        Details = new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["argv"] = "echo hi" },
    };

    public Task<AuditVerification> VerifyAsync() => new AuditVerifier(Database, Key).VerifyAsync();

    public void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
