namespace Airlock.RedTeam.Host;

/// <summary>Samples a sandbox's cgroup counters and the host's vitals every 200 ms until disposed.</summary>
internal sealed class ResourceWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ResourceSample> _samples = [];
    private readonly Task _loop;

    public ResourceWatch(SandboxCgroups cgroups, int? engineProcessId)
    {
        Cgroups = cgroups;
        Before = Sample(cgroups, engineProcessId);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var sample = Sample(cgroups, engineProcessId);
                lock (_samples) _samples.Add(sample);
                try
                {
                    await Task.Delay(200, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public SandboxCgroups Cgroups { get; }

    public ResourceSample Before { get; }

    public IReadOnlyList<ResourceSample> Samples
    {
        get
        {
            lock (_samples) return [.. _samples];
        }
    }

    public long? Peak(Func<ResourceSample, long?> value) => Samples.Select(value).Where(v => v is not null).DefaultIfEmpty(null).Max();

    public long? Lowest(Func<ResourceSample, long?> value) => Samples.Select(value).Where(v => v is not null).DefaultIfEmpty(null).Min();

    /// <summary>
    /// The largest limit seen from the watch's start on: what was in force while the attack ran, even when the
    /// sandbox (and its cgroups) ended before the judge reads them, and raised if anything raised it meanwhile.
    /// </summary>
    public long? Limit(Func<ResourceSample, long?> limit) => Samples.Prepend(Before).Select(limit).Where(v => v is not null).DefaultIfEmpty(null).Max();

    private static ResourceSample Sample(SandboxCgroups cgroups, int? engine)
    {
        var fds = 0;
        foreach (var pid in cgroups.Processes()) fds = Math.Max(fds, HostVitals.FdCount(pid) ?? 0);
        return new ResourceSample(cgroups.PidsNow(), cgroups.MemoryNow(), HostVitals.HostTasks(), HostVitals.MemAvailableBytes(),
            engine is { } e ? HostVitals.RssBytes(e) : null, HostVitals.OpenFiles(), fds, cgroups.PidsLimit(), cgroups.MemoryLimit());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
