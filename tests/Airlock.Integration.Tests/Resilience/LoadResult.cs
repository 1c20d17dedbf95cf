using System.Globalization;

namespace Airlock.Integration.Tests.Resilience;

/// <summary>One row of the load table: N sandboxes, each running an exec storm for the same bounded time.</summary>
internal sealed record LoadResult(string Isolation, int Sandboxes, int Execs, TimeSpan Duration, double P50Ms, double P99Ms, int Failures, int CreateFailures, long PeakRssBytes, IReadOnlyList<string> FailureSamples)
{
    public const string Header = "| tier | N | execs | execs/s | p50 ms | p99 ms | failures | create failures | daemon peak RSS |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";

    public double ExecsPerSecond => Duration > TimeSpan.Zero ? Execs / Duration.TotalSeconds : 0;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Isolation} | {Sandboxes} | {Execs} | {ExecsPerSecond:0.0} | {P50Ms:0.0} | {P99Ms:0.0} | {Failures} | {CreateFailures} | {PeakRssBytes / (1 << 20)} MiB |");
}
