namespace Airlock.Core.Telemetry;

/// <summary>How many sandboxes of one isolation tier are in one state; a point of <c>airlock_sandboxes</c>.</summary>
public sealed record SandboxCount(string Tier, SandboxState State, long Count);
