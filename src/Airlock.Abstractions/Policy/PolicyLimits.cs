namespace Airlock.Policy;

/// <summary>The <c>limits</c> section. Null means the engine's default.</summary>
public sealed record PolicyLimits
{
    public double? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    public int? Pids { get; init; }

    public long? DiskBytes { get; init; }

    /// <summary>Whole-sandbox time to live.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Egress bandwidth cap in bits per second, so a sandbox cannot saturate the host's uplink.</summary>
    public long? EgressRateBitsPerSecond { get; init; }

    /// <summary>How many commands (exec and background processes) may start per window; more are refused with 429 until the window passes.</summary>
    public ExecRateLimit? ExecRate { get; init; }
}
