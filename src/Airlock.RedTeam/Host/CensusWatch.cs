namespace Airlock.RedTeam.Host;

/// <summary>Samples a sandbox's host processes every few hundred ms while an attack runs and keeps every new finding.</summary>
internal sealed class CensusWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly HashSet<string> _findings = [];
    private int _samples;

    public CensusWatch(SandboxCgroups cgroups, ProcessCensus baseline)
    {
        Baseline = baseline;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var findings = baseline.FindingsIn(ProcessCensus.Take(cgroups));
                lock (_findings)
                {
                    _samples++;
                    _findings.UnionWith(findings);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public ProcessCensus Baseline { get; }

    public int Samples
    {
        get
        {
            lock (_findings) return _samples;
        }
    }

    public IReadOnlyList<string> Findings
    {
        get
        {
            lock (_findings) return [.. _findings];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
