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
    private readonly AuditRecordInsert _insert;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _lastCheckpoint;
    private readonly ArrayBufferWriter<byte> _scratch = new(512);
    private AuditSigningKey? _key;

    public AuditBatchWriter(SqliteConnection connection, SqliteAuditLogOptions options)
    {
        _connection = connection;
        _options = options;
        _insert = new AuditRecordInsert(connection);
        // Kept, so that their statements are prepared once, not once per batch.
        _head = connection.CreateCommand();
        _head.CommandText = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1";
        _lastCheckpoint = connection.CreateCommand();
        _lastCheckpoint.CommandText = "SELECT coalesce(max(seq), 0) FROM audit_checkpoints";
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
        for (var i = 0; i < appends.Count; i++)
        {
            var auditEvent = appends[i].Event!;
            var previous = hash;
            sequence++;
            hash = AuditCanonicalForm.Hash(sequence, unixMs, appends[i].EventFields, previous, _scratch);
            _insert.Insert(sequence, unixMs, appends[i], previous, hash);
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
        _head.Dispose();
        _lastCheckpoint.Dispose();
        _key?.Dispose();
    }

    /// <summary>Created at the first checkpoint, not at open, so that a log that never reaches one leaves no key behind.</summary>
    private AuditSigningKey Key => _key ??= AuditSigningKey.LoadOrCreate(_options.SigningKeyPath);

    private (long Sequence, string Hash) Head(SqliteTransaction transaction)
    {
        _head.Transaction = transaction;
        using var reader = _head.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : (0, AuditCanonicalForm.GenesisHash);
    }

    private long LastCheckpoint(SqliteTransaction transaction)
    {
        _lastCheckpoint.Transaction = transaction;
        return (long)_lastCheckpoint.ExecuteScalar()!;
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
