namespace Airlock.Guest.Protocol.Mux;

/// <summary>
/// An auto-reset wake-up for one waiter. A <see cref="Set"/> with nobody waiting is remembered, so a waiter
/// that checked its condition, found it false and then waits cannot miss the change that made it true.
/// Continuations run asynchronously: the session's read loop sets signals and must never run a reader inline.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
            _set = waiter is null;
        }

        waiter?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
