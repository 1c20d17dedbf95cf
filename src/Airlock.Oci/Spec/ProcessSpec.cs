namespace Airlock.Oci.Spec;

public sealed record ProcessSpec
{
    public bool Terminal { get; init; }

    public UserSpec User { get; init; } = new(0, 0);

    public required IReadOnlyList<string> Args { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string Cwd { get; init; } = "/";

    public CapabilitiesSpec? Capabilities { get; init; }

    public IReadOnlyList<RlimitSpec> Rlimits { get; init; } = [];

    public bool NoNewPrivileges { get; init; }

    public int? OomScoreAdj { get; init; }
}

public sealed record UserSpec(uint Uid, uint Gid);

/// <summary>Linux capability sets. Ambient and inheritable stay empty so exec'd programs cannot regain anything.</summary>
public sealed record CapabilitiesSpec
{
    public IReadOnlyList<string> Bounding { get; init; } = [];

    public IReadOnlyList<string> Effective { get; init; } = [];

    public IReadOnlyList<string> Permitted { get; init; } = [];

    public IReadOnlyList<string> Inheritable { get; init; } = [];

    public IReadOnlyList<string> Ambient { get; init; } = [];
}

public sealed record RlimitSpec(string Type, ulong Hard, ulong Soft);
