using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Bridge;

/// <summary>
/// The bridge's current session with the guest, if any. Operations arriving while there is none (the
/// guest is booting, or redialling) wait for one, for a bounded time.
/// </summary>
internal sealed class GuestSessionSlot
{
    private readonly object _gate = new();
    private MuxSession? _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Installs <paramref name="next"/> (null: none) and returns the session it replaces.</summary>
    public MuxSession? Replace(MuxSession? next)
    {
        MuxSession? previous;
        TaskCompletionSource changed;
        lock (_gate)
        {
            previous = _current;
            _current = next;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return previous;
    }

    /// <summary>Removes <paramref name="ended"/> unless another session already replaced it.</summary>
    public void Remove(MuxSession ended)
    {
        lock (_gate)
        {
            if (_current != ended)
            {
                return;
            }
        }

        Replace(null);
    }

    /// <summary>A channel on the current session; null when no usable session came within <paramref name="wait"/>.</summary>
    public async Task<MuxChannelStream?> OpenChannelAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        while (true)
        {
            MuxSession? session;
            Task changed;
            lock (_gate)
            {
                session = _current;
                changed = _changed.Task;
            }

            if (session is not null)
            {
                try
                {
                    return await session.OpenChannelAsync(deadline.Token);
                }
                catch (IOException)
                {
                    // The session just ended; its owner will replace or remove it.
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }
}
