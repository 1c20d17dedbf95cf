using Airlock.Core.Telemetry;

namespace Airlock.Server.Telemetry;

/// <summary>Counts the engine's sandboxes by tier and state, for the <c>airlock_sandboxes</c> gauge.</summary>
internal static class SandboxCensus
{
    /// <summary>
    /// A callback for <see cref="AirlockMetrics.ObserveSandboxes"/>. Gauges are read synchronously at scrape time;
    /// the engine's list is one SQLite read, so waiting on it there costs a scrape a few milliseconds, no more.
    /// </summary>
    public static Func<IEnumerable<SandboxCount>> Of(ISandboxOperations sandboxes) => () =>
        sandboxes.ListAsync().GetAwaiter().GetResult()
            .GroupBy(s => (s.Isolation, s.State))
            .Select(g => new SandboxCount(g.Key.Isolation, g.Key.State, g.LongCount()))
            .ToList();
}
