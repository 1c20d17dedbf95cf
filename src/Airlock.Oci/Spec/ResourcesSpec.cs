namespace Airlock.Oci.Spec;

public sealed record ResourcesSpec
{
    public IReadOnlyList<DeviceRuleSpec> Devices { get; init; } = [];

    public MemorySpec? Memory { get; init; }

    public CpuSpec? Cpu { get; init; }

    public PidsSpec? Pids { get; init; }
}

/// <summary>A device cgroup rule; <c>null</c> major/minor means "any" (<c>*</c>).</summary>
public sealed record DeviceRuleSpec(bool Allow, string Access, string? Type = null, long? Major = null, long? Minor = null);

public sealed record MemorySpec(long? Limit, long? Swap);

public sealed record CpuSpec(long? Quota, ulong? Period);

public sealed record PidsSpec(long Limit);
