using System.Collections.Immutable;
using System.Threading.Channels;

namespace Airlock.Audit.Sqlite;

/// <summary>
/// Tells observers about committed records on a task of its own, in order: a slow or failing observer (an SSE
/// stream, an anomaly rule) never holds up the writer, and so never delays another caller's acknowledgement.
/// </summary>
internal sealed class AuditObservers : IAsyncDisposable
{
    private readonly Channel<IReadOnlyList<AuditRecord>> _pending = Channel.CreateUnbounded<IReadOnlyList<AuditRecord>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Exception>? _failed;
    private readonly Task _dispatcher;
    private ImmutableArray<Action<AuditRecord>> _observers = [];

    public AuditObservers(Action<Exception>? failed)
    {
        _failed = failed;
        _dispatcher = Task.Run(DispatchAsync);
    }

    public bool Any => !_observers.IsEmpty;

    public IDisposable Add(Action<AuditRecord> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ImmutableInterlocked.Update(ref _observers, list => list.Add(observer));
        return new Subscription(() => ImmutableInterlocked.Update(ref _observers, list => list.Remove(observer)));
    }

    public void Publish(IReadOnlyList<AuditRecord> records)
    {
        if (Any && records.Count > 0) _pending.Writer.TryWrite(records);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _dispatcher;
    }

    private async Task DispatchAsync()
    {
        await foreach (var records in _pending.Reader.ReadAllAsync())
        {
            var observers = _observers;
            foreach (var record in records)
            {
                foreach (var observer in observers)
                {
                    try
                    {
                        observer(record);
                    }
                    catch (Exception e)
                    {
                        _failed?.Invoke(e);
                    }
                }
            }
        }
    }

    private sealed class Subscription(Action remove) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) remove();
        }
    }
}
