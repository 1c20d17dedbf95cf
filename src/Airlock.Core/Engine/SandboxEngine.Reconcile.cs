using Airlock.Core.Backends;

namespace Airlock.Core.Engine;

/// <summary>
/// Makes the state store and the host agree. Runs at every engine start (daemon or CLI) and, in the daemon,
/// on a timer. Rules: a live sandbox is kept; an expired one is destroyed (TTL); a dead one is cleaned and
/// kept as Stopped so <c>ps</c> tells the truth until it is removed; a half-created one whose creator is
/// gone is destroyed; host leftovers without any record are destroyed.
/// </summary>
public sealed partial class SandboxEngine
{
    private static readonly TimeSpan ReaperInterval = TimeSpan.FromSeconds(2);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        foreach (var listed in await _store.ListAsync(cancellationToken))
        {
            // Under the sandbox's lifecycle lock and on a fresh read: a delete under way would otherwise look "stopped"
            // here and be destroyed twice at once (found by the red-team battery: a DELETE 500, "could not find
            // .../egress/ID/ready.json"). A sandbox busy with a delete, pause or resume is looked at next tick.
            await TrySerializedAsync(listed.Id, () => ReconcileOneAsync(listed.Id, now, cancellationToken));
        }

        await SweepOrphansAsync(cancellationToken);
    }

    private async Task ReconcileOneAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(id, cancellationToken) is not { } record) return;
        var info = record.Info;
        var backend = Backends.FirstOrDefault(b => b.Tier == info.Isolation);
        if (backend is null) return;
        if (info.State == SandboxState.Creating)
        {
            if (!record.Owner.IsAlive) await DestroyAsync(backend, info.Id);
            return;
        }

        if (info.ExpiresAt is { } expires && expires <= now)
        {
            await DestroyAsync(backend, info.Id);
            return;
        }

        if (info.State == SandboxState.Stopped) return;
        var state = await backend.GetStateAsync(info.Id, cancellationToken);
        var truth = state switch
        {
            BackendState.Running => SandboxState.Running,
            BackendState.Paused => SandboxState.Paused,
            _ => SandboxState.Stopped,
        };
        if (truth == info.State) return;
        if (truth == SandboxState.Stopped)
        {
            // Its init (the guest agent) is gone: free the host resources now, keep the record as evidence.
            _guests.TryRemove(info.Id, out _);
            await backend.DestroyAsync(info.Id, CancellationToken.None);
            await Network.SandboxEgress.DestroyAsync(Paths, info.Id);
        }

        await _store.UpdateAsync(
            record with { Info = info with { State = truth, StopReason = truth == SandboxState.Stopped ? "its init process exited (crash or out of memory)" : null } },
            CancellationToken.None);
    }

    private async Task SweepOrphansAsync(CancellationToken cancellationToken)
    {
        var known = (await _store.ListAsync(cancellationToken)).Select(r => r.Id).ToHashSet();
        foreach (var backend in Backends)
        {
            if (!backend.Probe().Available) continue;
            foreach (var id in await backend.ListHostSandboxesAsync(cancellationToken))
            {
                // Re-read: another process may have inserted the record after the list above.
                if (!known.Contains(id) && await _store.GetAsync(id, cancellationToken) is null)
                {
                    await backend.DestroyAsync(id, CancellationToken.None);
                }
            }
        }

        await Network.SandboxEgress.SweepAsync(Paths, async id => known.Contains(id) || await _store.GetAsync(id, cancellationToken) is not null);
    }

    private async Task RunReaperAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ReaperInterval, Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await ReconcileAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick retries; a reaper that dies would leave expired sandboxes running forever.
                Console.Error.WriteLine($"airlock: reconcile failed: {e.Message}");
            }
        }
    }
}
