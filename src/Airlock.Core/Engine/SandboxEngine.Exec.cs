using System.Runtime.CompilerServices;

namespace Airlock.Core.Engine;

public sealed partial class SandboxEngine
{
    private const int SigKill = 9;

    public async IAsyncEnumerable<ExecEvent> ExecStreamAsync(string id, ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        SpecValidator.ValidateExec(request);
        var info = await RequireRunningAsync(id, cancellationToken);
        var backend = BackendFor(info);
        var before = await backend.ReadLimitCountersAsync(id, cancellationToken);
        await using var events = GuestFor(info).ExecAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ExecEvent item;
            try
            {
                if (!await events.MoveNextAsync()) break;
                item = events.Current;
            }
            catch (AirlockException e) when (e.Kind == AirlockErrorKind.Unavailable)
            {
                throw await ExplainAsync(id, e);
            }

            if (item is ExecExited { Result: var result } && result.KilledBy is null && result.Signal == SigKill)
            {
                // The agent sees only "SIGKILL"; the cgroup's counters say whether the kernel sent it for a limit.
                var after = await backend.ReadLimitCountersAsync(id, CancellationToken.None);
                var limit = after.OomKills > before.OomKills ? ExecResult.Limits.Memory
                    : after.PidsRefused > before.PidsRefused ? ExecResult.Limits.Pids
                    : null;
                yield return limit is null ? item : new ExecExited(result with { KilledBy = limit, ExitCode = 137 });
                continue;
            }

            yield return item;
        }
    }

    public async Task<ProcessInfo> StartProcessAsync(string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        SpecValidator.ValidateExec(request);
        return await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).StartProcessAsync(request, cancellationToken));
    }

    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(string id, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).ListProcessesAsync(cancellationToken));

    public async Task<ProcessOutput> GetProcessOutputAsync(string id, int pid, CancellationToken cancellationToken = default) =>
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).GetProcessOutputAsync(pid, cancellationToken));

    public async Task SignalProcessAsync(string id, int pid, int signal, CancellationToken cancellationToken = default)
    {
        if (signal is < 1 or > 64) throw AirlockException.Invalid($"signal must be between 1 and 64 (got {signal})");
        await GuardedAsync(id, async () => await GuestFor(await RequireRunningAsync(id, cancellationToken)).SignalProcessAsync(pid, signal, cancellationToken));
    }
}
