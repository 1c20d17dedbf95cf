namespace Airlock.RedTeam.Running;

/// <summary>Percentiles of API call latencies, in milliseconds.</summary>
internal sealed record LatencyStats(int Count, double P50, double P99, double Max)
{
    public static LatencyStats Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) return new LatencyStats(0, 0, 0, 0);
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new LatencyStats(sorted.Length, At(0.50), At(0.99), sorted[^1]);
    }
}
