using System.Collections.Concurrent;

namespace Airlock.Core.Engine;

/// <summary>
/// Calls that race with a pause, resume or delete of the same sandbox. Found by the API fuzzer: two lifecycle calls on
/// one sandbox at once made runc fail (a 500), and a guest call cut off by a pause or delete surfaced as the agent
/// "not answering" (a 503) although the sandbox was only paused or gone — the caller's own doing, a 409 or 404.
/// </summary>
public sealed partial class SandboxEngine
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _lifecycleLocks = new(StringComparer.Ordinal);

    /// <summary>Pause, resume and delete of one sandbox run one at a time; each re-reads the state after waiting.</summary>
    private async Task<T> SerializedAsync<T>(string id, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var gate = _lifecycleLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> under the sandbox's lifecycle lock if it is free now; otherwise not at all.</summary>
    private async Task TrySerializedAsync(string id, Func<Task> action)
    {
        var gate = _lifecycleLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(TimeSpan.Zero)) return;
        try
        {
            await action();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A guest call that failed as unavailable: if the sandbox was paused, stopped or removed meanwhile, say that instead.</summary>
    private async Task<Exception> ExplainAsync(string id, AirlockException failure)
    {
        if (failure.Kind != AirlockErrorKind.Unavailable) return failure;
        // A pause or delete still under way has cut the call off but not yet recorded its new state: let it finish.
        if (_lifecycleLocks.TryGetValue(id, out var gate) && await gate.WaitAsync(TimeSpan.FromSeconds(10))) gate.Release();
        var record = await _store.GetAsync(id, CancellationToken.None);
        return record?.Info.State switch
        {
            null => AirlockException.NotFound($"sandbox {id} was removed while the call ran"),
            SandboxState.Paused => AirlockException.Conflict($"sandbox {id} was paused while the call ran; resume it and retry"),
            SandboxState.Stopped => AirlockException.Conflict($"sandbox {id} stopped while the call ran ({record.Info.StopReason ?? "unknown reason"})"),
            _ => failure,
        };
    }

    private async Task<T> GuardedAsync<T>(string id, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.Unavailable)
        {
            throw await ExplainAsync(id, e);
        }
    }

    private Task GuardedAsync(string id, Func<Task> call) => GuardedAsync(id, async () =>
    {
        await call();
        return true;
    });
}
