namespace Airlock.Bench;

/// <summary>One measured figure beside its baseline; the target is a ratio (or, for latency, an absolute bound the issue sets). <paramref name="Unit"/> is "ms" (p50 latency) or a rate like "ev/s".</summary>
internal sealed record ResultRow(string Name, double MedianMs, string Baseline, double BaselineMedianMs, string Target, bool MeetsTarget, string Unit = "ms")
{
    /// <summary>Set where samples were taken in pairs: the median of the pairs' ratios, which the table shows instead.</summary>
    public double? PairedRatio { get; init; }

    public double Ratio => PairedRatio ?? (BaselineMedianMs > 0 ? MedianMs / BaselineMedianMs : double.NaN);
}
