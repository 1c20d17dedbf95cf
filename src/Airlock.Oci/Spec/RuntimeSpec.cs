namespace Airlock.Oci.Spec;

/// <summary>
/// The subset of the OCI runtime specification (config.json, version 1.0.2) that Airlock writes.
/// Immutable: options derive a new spec with <c>with</c>, so a half-applied option can never leak.
/// </summary>
public sealed record RuntimeSpec
{
    public string OciVersion { get; init; } = "1.0.2";

    public required ProcessSpec Process { get; init; }

    public required RootSpec Root { get; init; }

    public string? Hostname { get; init; }

    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];

    public required LinuxSpec Linux { get; init; }
}

public sealed record RootSpec(string Path, bool Readonly = false);

public sealed record MountSpec(string Destination, string Type, string Source, IReadOnlyList<string> Options);
