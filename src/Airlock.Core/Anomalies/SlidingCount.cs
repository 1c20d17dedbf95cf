namespace Airlock.Core.Anomalies;

/// <summary>Timestamps of one counter's events, pruned to the longest window a rule looks at; bounded in memory.</summary>
internal sealed class SlidingCount
{
    /// <summary>No rule needs more; an exec storm cannot grow the monitor without bound.</summary>
    private const int MaxKept = 100_000;

    private readonly Queue<DateTimeOffset> _times = new();

    /// <summary>Events since the sandbox was first seen (for rules without a window).</summary>
    public long Total { get; private set; }

    public void Add(DateTimeOffset at)
    {
        Total++;
        _times.Enqueue(at);
        if (_times.Count > MaxKept) _times.Dequeue();
    }

    /// <summary>Events in the last <paramref name="window"/> before <paramref name="now"/>, or all when null.</summary>
    public long CountSince(DateTimeOffset now, TimeSpan? window) =>
        window is { } w ? _times.Count(t => t > now - w) : Total;

    public void Prune(DateTimeOffset now, TimeSpan keep)
    {
        while (_times.Count > 0 && _times.Peek() <= now - keep) _times.Dequeue();
    }
}
