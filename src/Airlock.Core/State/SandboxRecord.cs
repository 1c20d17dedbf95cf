namespace Airlock.Core.State;

/// <summary>A sandbox as the state store keeps it: what the user sees plus who is creating it.</summary>
internal sealed record SandboxRecord
{
    public required SandboxInfo Info { get; init; }

    /// <summary>The process creating the sandbox, so a reconciler can tell a half-created sandbox of a dead process from one in progress.</summary>
    public required ProcessIdentity Owner { get; init; }

    public string Id => Info.Id;
}
