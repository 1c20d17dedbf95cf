using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// The audit trail in its own SQLite file. Appends from any number of callers queue up; one writer task takes
/// everything queued and writes it in one transaction (<see cref="AuditBatchWriter"/>); a second task flushes the
/// write-ahead log to disk (<see cref="WalFile"/>) and only then completes each caller. The two stages overlap —
/// one batch is inserted while the previous one is being fsynced — so throughput grows with concurrency while
/// every acknowledged record is on disk.
/// Several processes may append to the same file; the chain stays one chain (see <see cref="AuditBatchWriter"/>), and
/// with <see cref="SqliteAuditLogOptions.FollowOtherWriters"/> the observers hear of the others' records too.
/// </summary>
public sealed class SqliteAuditLog : IAuditLog, IAsyncDisposable
{
    private readonly SqliteAuditLogOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<AuditAppend> _queue = Channel.CreateUnbounded<AuditAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CommittedBatch> _committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly WalFile _wal;
    private readonly SqliteConnection _writeConnection;
    private readonly AuditBatchWriter _writer;
    private readonly SqliteConnection _readConnection;
    private readonly SemaphoreSlim _readGate = new(1, 1);
    private readonly AuditObservers _observers;
    private readonly ITimer _checkpointTimer;
    private readonly AuditFollower? _follower;
    private readonly Task _writeLoop;
    private readonly Task _flushLoop;
    private bool _uncheckpointed;

    /// <summary>Opens (creating when missing) the database; the signing key is created at the first checkpoint.</summary>
    public SqliteAuditLog(SqliteAuditLogOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), "CheckpointEvery must be at least 1");
        if (options.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatch must be at least 1");
        _options = options;
        _time = time ?? TimeProvider.System;
        _writeConnection = AuditDatabase.OpenForWriting(options.DatabasePath);
        _writer = new AuditBatchWriter(_writeConnection, options);
        _wal = new WalFile(options.DatabasePath);
        _readConnection = AuditDatabase.OpenForReading(options.DatabasePath);
        _observers = new AuditObservers(options.ObserverFailed);
        _checkpointTimer = _time.CreateTimer(_ => _queue.Writer.TryWrite(AuditAppend.CheckpointTick), null, options.CheckpointInterval, options.CheckpointInterval);
        if (options.FollowOtherWriters is { } every)
        {
            _follower = new AuditFollower(AuditDatabase.OpenForReading(options.DatabasePath), _observers, every, _time);
        }

        _writeLoop = Task.Run(WriteLoopAsync);
        _flushLoop = Task.Run(FlushLoopAsync);
    }

    /// <summary>Completes once the record is committed and the write-ahead log holding it is fsynced. Cancelling abandons the wait, not the append: the record may still be written.</summary>
    public Task<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var append = new AuditAppend(auditEvent);
        if (!_queue.Writer.TryWrite(append)) throw new ObjectDisposedException(nameof(SqliteAuditLog), "the audit log is closed");
        return append.Committed.Task.WaitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _readGate.WaitAsync(cancellationToken);
        try
        {
            return AuditQuerySql.Run(_readConnection, query);
        }
        finally
        {
            _readGate.Release();
        }
    }

    /// <summary>
    /// The observer hears of each record appended by this instance after it is committed, in order, on a task of its own
    /// (and, when following, of other processes' records within the follow interval); its exceptions go to
    /// <see cref="SqliteAuditLogOptions.ObserverFailed"/>.
    /// </summary>
    public IDisposable Subscribe(Action<AuditRecord> observer) => _observers.Add(observer);

    /// <summary>Writes what is queued, pins the tail with a last checkpoint, and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete()) return;
        await _checkpointTimer.DisposeAsync();
        if (_follower is not null) await _follower.DisposeAsync();
        await _writeLoop;
        _committed.Writer.TryComplete();
        await _flushLoop;
        if (_uncheckpointed)
        {
            try
            {
                _writer.Write([], _time.GetUtcNow(), checkpointDue: true);
                _wal.Flush();
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                // The next writer's checkpoint will cover these records; closing must not fail for it.
            }
        }

        await _observers.DisposeAsync();
        _writer.Dispose();
        _wal.Dispose();
        _writeConnection.Dispose();
        _readConnection.Dispose();
        _readGate.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<AuditAppend>();
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var tick = false;
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var append))
            {
                if (append.Event is null)
                {
                    tick = true;
                    continue;
                }

                batch.Add(append);
            }

            // A timer tick with nothing new from this process since the last checkpoint needs no transaction.
            if (batch.Count == 0 && !(tick && _uncheckpointed)) continue;
            try
            {
                var records = _follower is null
                    ? _writer.Write(batch, _time.GetUtcNow(), checkpointDue: tick)
                    : _follower.WriteOwn(() => _writer.Write(batch, _time.GetUtcNow(), checkpointDue: tick));
                _uncheckpointed = !tick && (_uncheckpointed || records.Count > 0);
                _committed.Writer.TryWrite(new CommittedBatch([.. batch], records));
            }
            catch (Exception e)
            {
                // The transaction rolled back: none of these records exists, the chain is unchanged.
                Fail(batch, $"the audit record could not be written to {_options.DatabasePath}: {e.Message}", e);
            }
        }
    }

    /// <summary>One fsync covers every batch committed before it started: under load, several at a time.</summary>
    private async Task FlushLoopAsync()
    {
        var reader = _committed.Reader;
        var due = new List<CommittedBatch>();
        while (await reader.WaitToReadAsync())
        {
            due.Clear();
            while (reader.TryRead(out var batch)) due.Add(batch);
            try
            {
                _wal.Flush();
            }
            catch (Exception e)
            {
                // Committed but not known to be on disk: the caller must not take it as acknowledged.
                foreach (var batch in due) Fail(batch.Appends, $"the audit log {_options.DatabasePath} could not be flushed to disk: {e.Message}", e);
                continue;
            }

            foreach (var batch in due)
            {
                for (var i = 0; i < batch.Appends.Length; i++) batch.Appends[i].Committed.TrySetResult(batch.Records[i]);
                _observers.Publish(batch.Records);
            }
        }
    }

    private static void Fail(IEnumerable<AuditAppend> appends, string message, Exception cause)
    {
        var failure = new AirlockException(AirlockErrorKind.Unavailable, message, cause);
        foreach (var append in appends) append.Committed.TrySetException(failure);
    }

    private sealed record CommittedBatch(AuditAppend[] Appends, IReadOnlyList<AuditRecord> Records);
}
