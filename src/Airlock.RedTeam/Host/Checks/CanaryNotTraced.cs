using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Host.Checks;

/// <summary>The battery's host canary process was never traced (TracerPid stays 0) while the attack ran.</summary>
internal sealed class CanaryNotTraced : IHostCheck
{
    private volatile bool _stop;
    private Task<int>? _watch;

    public Task BeforeAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        var pid = context.Markers.CanaryPid;
        _watch = Task.Run(async () =>
        {
            var tracer = 0;
            while (!_stop && pid is { } p)
            {
                tracer = Math.Max(tracer, (int)(HostFiles.Key($"/proc/{p}/status", "TracerPid") ?? 0));
                await Task.Delay(100, CancellationToken.None);
            }

            return tracer;
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task<(IReadOnlyList<string> Findings, string Evidence)> AfterAsync(CaseContext context, string sandboxId, CancellationToken cancellationToken)
    {
        _stop = true;
        var tracer = await _watch!;
        return tracer != 0
            ? ([$"host canary process {context.Markers.CanaryPid} was traced by host pid {tracer}"], "")
            : ([], $"host canary pid {context.Markers.CanaryPid}: TracerPid stayed 0");
    }
}
