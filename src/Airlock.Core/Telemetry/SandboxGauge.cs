using System.Diagnostics.Metrics;

namespace Airlock.Core.Telemetry;

/// <summary>
/// The points of <c>airlock_sandboxes</c>. Every state of every tier seen so far is reported, 0 included:
/// a series that vanished when its last sandbox went would read as "no data" on a dashboard, not as zero.
/// </summary>
internal sealed class SandboxGauge
{
    private readonly HashSet<string> _tiersSeen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Func<IEnumerable<SandboxCount>>? _source;

    public Func<IEnumerable<SandboxCount>>? Source
    {
        get => Volatile.Read(ref _source);
        set => Volatile.Write(ref _source, value);
    }

    public IEnumerable<Measurement<long>> Observe()
    {
        if (Source is not { } source) return [];
        var counts = new Dictionary<(string Tier, SandboxState State), long>();
        foreach (var count in source())
        {
            var key = (MetricTag.Fold(count.Tier), count.State);
            counts[key] = counts.GetValueOrDefault(key) + count.Count;
        }

        string[] tiers;
        lock (_gate)
        {
            foreach (var (tier, _) in counts.Keys) _tiersSeen.Add(tier);
            tiers = [.. _tiersSeen];
        }

        var points = new List<Measurement<long>>();
        foreach (var tier in tiers)
        {
            foreach (var state in Enum.GetValues<SandboxState>())
            {
                points.Add(new Measurement<long>(counts.GetValueOrDefault((tier, state)),
                    new KeyValuePair<string, object?>("tier", tier),
                    new KeyValuePair<string, object?>("state", MetricTag.StateName(state))));
            }
        }

        return points;
    }
}
