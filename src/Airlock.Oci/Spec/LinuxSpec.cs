namespace Airlock.Oci.Spec;

public sealed record LinuxSpec
{
    public IReadOnlyList<IdMappingSpec> UidMappings { get; init; } = [];

    public IReadOnlyList<IdMappingSpec> GidMappings { get; init; } = [];

    public IReadOnlyList<NamespaceSpec> Namespaces { get; init; } = [];

    public IReadOnlyList<DeviceSpec> Devices { get; init; } = [];

    public ResourcesSpec? Resources { get; init; }

    public string? CgroupsPath { get; init; }

    public SeccompSpec? Seccomp { get; init; }

    public IReadOnlyList<string> MaskedPaths { get; init; } = [];

    public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];
}

public sealed record IdMappingSpec(uint ContainerID, uint HostID, uint Size);

public sealed record NamespaceSpec(string Type, string? Path = null);

public sealed record DeviceSpec(string Path, string Type, long Major, long Minor, uint FileMode, uint Uid, uint Gid);
