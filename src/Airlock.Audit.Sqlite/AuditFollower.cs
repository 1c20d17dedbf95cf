using Microsoft.Data.Sqlite;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// Reads, every so often, the records other processes appended to the file since the last look, and hands them to the
/// observers. This instance's own records are told apart by sequence number: its writes run under the same gate as a
/// look (<see cref="WriteOwn"/>), so a look never sees an own record it has not been told about. Starts at the file's
/// end: history is not replayed.
/// </summary>
internal sealed class AuditFollower : IAsyncDisposable
{
    private const int PageSize = 1000;

    private readonly SqliteConnection _connection;
    private readonly AuditObservers _observers;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly HashSet<long> _own = [];
    private long _seen;
    private bool _disposed;

    public AuditFollower(SqliteConnection connection, AuditObservers observers, TimeSpan every, TimeProvider time)
    {
        _connection = connection;
        _observers = observers;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT coalesce(max(seq), 0) FROM audit_records";
            _seen = (long)command.ExecuteScalar()!;
        }

        _timer = time.CreateTimer(_ => Look(), null, every, every);
    }

    /// <summary>Runs one of this instance's writes and remembers its sequence numbers as already told.</summary>
    public IReadOnlyList<AuditRecord> WriteOwn(Func<IReadOnlyList<AuditRecord>> write)
    {
        lock (_gate)
        {
            var records = write();
            foreach (var record in records)
            {
                if (record.Sequence > _seen) _own.Add(record.Sequence);
            }

            return records;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
        lock (_gate)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }

    private void Look()
    {
        var foreign = new List<AuditRecord>();
        lock (_gate)
        {
            if (_disposed) return;
            try
            {
                using var command = _connection.CreateCommand();
                command.CommandText = $"SELECT {AuditRows.Columns} FROM audit_records WHERE seq > $seen ORDER BY seq LIMIT {PageSize}";
                command.Parameters.AddWithValue("$seen", _seen);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var record = AuditRows.Read(reader, out _);
                    _seen = record.Sequence;
                    if (!_own.Remove(record.Sequence)) foreign.Add(record);
                }
            }
            catch (SqliteException)
            {
                // Busy or briefly unreadable: the next look starts from the same place.
            }
        }

        _observers.Publish(foreign);
    }
}
