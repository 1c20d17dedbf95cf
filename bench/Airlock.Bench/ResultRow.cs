namespace Airlock.Bench;

/// <summary>One measured figure beside its baseline; the target is a ratio (or, for latency, an absolute bound the issue sets).</summary>
internal sealed record ResultRow(string Name, double MedianMs, string Baseline, double BaselineMedianMs, string Target, bool MeetsTarget)
{
    public double Ratio => BaselineMedianMs > 0 ? MedianMs / BaselineMedianMs : double.NaN;
}
