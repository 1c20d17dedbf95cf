using System.Buffers;
using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// Writes one batch of events in one transaction and, when due, a signed checkpoint in the same transaction.
/// Another process (the daemon beside an embedded CLI) may append to the same file, so the head of the chain is
/// read inside <c>BEGIN IMMEDIATE</c> — which holds the write lock from the start — and never cached.
/// </summary>
internal sealed class AuditBatchWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteAuditLogOptions _options;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter[] _parameters;
    private readonly ArrayBufferWriter<byte> _scratch = new(512);
    private AuditSigningKey? _key;

    public AuditBatchWriter(SqliteConnection connection, SqliteAuditLogOptions options)
    {
        _connection = connection;
        _options = options;
        _insert = connection.CreateCommand();
        _insert.CommandText = $"INSERT INTO audit_records ({AuditRows.Columns}) VALUES ($seq, $time, $kind, $actor, $outcome, $sandbox, $details, $prev, $hash)";
        _parameters = new[] { "$seq", "$time", "$kind", "$actor", "$outcome", "$sandbox", "$details", "$prev", "$hash" }
            .Select(name => _insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
    }

    /// <summary>
    /// Appends <paramref name="events"/> after whatever the file's last record is and commits. A checkpoint is
    /// written when <see cref="SqliteAuditLogOptions.CheckpointEvery"/> records have passed since the last one, or
    /// when <paramref name="checkpointDue"/> and any record is not yet covered.
    /// </summary>
    public IReadOnlyList<AuditRecord> Write(IReadOnlyList<AuditAppend> appends, DateTimeOffset now, bool checkpointDue)
    {
        var unixMs = now.ToUnixTimeMilliseconds();
        var time = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        using var transaction = _connection.BeginTransaction(deferred: false);
        var (sequence, hash) = Head(transaction);
        var records = new AuditRecord[appends.Count];
        _insert.Transaction = transaction;
        for (var i = 0; i < appends.Count; i++)
        {
            var auditEvent = appends[i].Event!;
            var previous = hash;
            sequence++;
            hash = AuditCanonicalForm.Hash(sequence, unixMs, appends[i].EventFields, previous, _scratch);
            _parameters[0].Value = sequence;
            _parameters[1].Value = unixMs;
            _parameters[2].Value = auditEvent.Kind;
            _parameters[3].Value = auditEvent.Actor;
            _parameters[4].Value = auditEvent.Outcome;
            _parameters[5].Value = (object?)auditEvent.SandboxId ?? DBNull.Value;
            _parameters[6].Value = appends[i].DetailsJson;
            _parameters[7].Value = previous;
            _parameters[8].Value = hash;
            _insert.ExecuteNonQuery();
            records[i] = new AuditRecord { Sequence = sequence, Time = time, Event = auditEvent, PreviousHash = previous, Hash = hash };
        }

        if (sequence > 0)
        {
            var covered = LastCheckpoint(transaction);
            if (sequence - covered >= _options.CheckpointEvery || (checkpointDue && sequence > covered))
            {
                InsertCheckpoint(transaction, AuditCheckpoint.Create(sequence, hash, unixMs, Key));
            }
        }

        transaction.Commit();
        return records;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _key?.Dispose();
    }

    /// <summary>Created at the first checkpoint, not at open, so that a log that never reaches one leaves no key behind.</summary>
    private AuditSigningKey Key => _key ??= AuditSigningKey.LoadOrCreate(_options.SigningKeyPath);

    private (long Sequence, string Hash) Head(SqliteTransaction transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0, AuditCanonicalForm.GenesisHash);
    }

    private long LastCheckpoint(SqliteTransaction transaction)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(max(seq), 0) FROM audit_checkpoints";
        return (long)command.ExecuteScalar()!;
    }

    private void InsertCheckpoint(SqliteTransaction transaction, AuditCheckpoint checkpoint)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO audit_checkpoints (seq, hash, time_ms, signature) VALUES ($seq, $hash, $time, $signature)";
        command.Parameters.AddWithValue("$seq", checkpoint.Sequence);
        command.Parameters.AddWithValue("$hash", checkpoint.Hash);
        command.Parameters.AddWithValue("$time", checkpoint.UnixMilliseconds);
        command.Parameters.AddWithValue("$signature", checkpoint.Signature);
        command.ExecuteNonQuery();
    }
}
