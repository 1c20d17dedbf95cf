using Airlock.Oci;

namespace Airlock.Backends.Runc;

public sealed record RuncBackendOptions
{
    /// <summary>The runtime binary; <c>runc</c> from PATH by default.</summary>
    public string RuncPath { get; init; } = "runc";

    /// <summary>runc's state directory. Null keeps runc's default so <c>runc list</c> on the host shows Airlock's containers.</summary>
    public string? RuncRoot { get; init; }

    /// <summary>How long CreateAsync waits for the agent's socket to accept a connection.</summary>
    public TimeSpan AgentReadyTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Test hook: options applied after Airlock's own (e.g. a stand-in init instead of the agent).</summary>
    internal IReadOnlyList<SpecOption> ExtraSpecOptions { get; init; } = [];

    /// <summary>Observability hook: called with each CreateAsync step and how long it took.</summary>
    internal Action<string, TimeSpan>? OnCreateStep { get; init; }
}
