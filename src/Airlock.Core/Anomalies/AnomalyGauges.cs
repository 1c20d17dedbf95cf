namespace Airlock.Core.Anomalies;

/// <summary>
/// The resource gauges anomaly rules can name (<c>cpu_percent &gt;= 95 for 5m</c>), sampled from each running sandbox's
/// host cgroups by <see cref="ResourceSampler"/>. Percentages are of the sandbox's own limits, so "pinned" and "at the
/// limit" mean the same for a 0.5-CPU sandbox as for a 4-CPU one.
/// </summary>
public static class AnomalyGauges
{
    /// <summary>CPU time used between two samples, as a percentage of the sandbox's <c>cpus</c> limit (100 = pinned).</summary>
    public const string CpuPercent = "cpu_percent";

    /// <summary>Working set (memory in use minus droppable page cache) as a percentage of the sandbox's <c>memory</c> limit.</summary>
    public const string MemoryPercent = "memory_percent";

    public static IReadOnlyList<string> All { get; } = [CpuPercent, MemoryPercent];
}
