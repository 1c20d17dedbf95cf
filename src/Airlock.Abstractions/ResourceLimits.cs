namespace Airlock;

/// <summary>Hard limits of one sandbox. Null means the engine's default.</summary>
public sealed record ResourceLimits
{
    public double? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    public int? Pids { get; init; }

    public long? DiskBytes { get; init; }
}
