using Airlock.Core.Backends;
using Airlock.Core.Engine;

namespace Airlock.Core.Anomalies;

/// <summary>
/// Samples every running sandbox's resource use from its host cgroups on a timer and hands the gauges
/// (<see cref="AnomalyGauges"/>) to the <see cref="AnomalyMonitor"/>. CPU is a rate, so a sandbox's first sample only
/// sets its baseline. Reading cgroup files costs microseconds, so the default five seconds costs nothing noticeable
/// even with hundreds of sandboxes.
/// </summary>
public sealed class ResourceSampler : IAsyncDisposable
{
    private readonly SandboxEngine _engine;
    private readonly AnomalyMonitor _monitor;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, (DateTimeOffset Time, long CpuNanoseconds)> _previous = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public ResourceSampler(SandboxEngine engine, AnomalyMonitor monitor, TimeSpan? interval = null, TimeProvider? time = null)
    {
        _engine = engine;
        _monitor = monitor;
        _interval = interval ?? TimeSpan.FromSeconds(5);
        _time = time ?? TimeProvider.System;
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    /// <summary>One round over the running sandboxes.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        var running = (await _engine.ListAsync(cancellationToken: cancellationToken)).Where(s => s.State == SandboxState.Running).ToList();
        foreach (var gone in _previous.Keys.Except(running.Select(s => s.Id)).ToList()) _previous.Remove(gone);
        foreach (var sandbox in running)
        {
            ResourceUsage? usage;
            try
            {
                usage = await _engine.ReadUsageAsync(sandbox.Id, cancellationToken);
            }
            catch (AirlockException)
            {
                continue; // destroyed or paused meanwhile
            }

            if (usage is not { } now) continue;
            var time = _time.GetUtcNow();
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            if (sandbox.Limits.MemoryBytes is > 0 and var memory) values[AnomalyGauges.MemoryPercent] = 100.0 * now.WorkingSetBytes / memory;
            if (_previous.TryGetValue(sandbox.Id, out var before) && sandbox.Limits.Cpus is > 0 and var cpus && time > before.Time)
            {
                var used = (now.CpuNanoseconds - before.CpuNanoseconds) / 1e9;
                values[AnomalyGauges.CpuPercent] = 100.0 * used / ((time - before.Time).TotalSeconds * cpus);
            }

            _previous[sandbox.Id] = (time, now.CpuNanoseconds);
            if (values.Count > 0) _monitor.Observe(new GaugeSample(sandbox.Id, time, values));
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await SampleAsync(cancellationToken);
            }
            catch (Exception e) when (e is AirlockException or IOException)
            {
                // A failed round (the state store busy) is retried at the next tick; the sampler must not stop.
            }
        }
    }
}
