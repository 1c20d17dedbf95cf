namespace Airlock.Oci;

/// <summary>What <c>runc state</c> / <c>runc list --format json</c> report for one container.</summary>
public sealed record ContainerState
{
    public required string Id { get; init; }

    public int Pid { get; init; }

    /// <summary>creating, created, running, paused or stopped.</summary>
    public required string Status { get; init; }

    public string Bundle { get; init; } = "";

    public string Rootfs { get; init; } = "";
}
