using Airlock.Oci;

namespace Airlock.Backends.Gvisor;

public sealed record GvisorBackendOptions
{
    /// <summary>The runsc binary; <c>runsc</c> from PATH by default (Debian package <c>runsc</c>).</summary>
    public string RunscPath { get; init; } = "runsc";

    /// <summary>runsc's state directory. Null means <c>{data}/runsc</c>, so one data directory's sandboxes are listed and destroyed apart from any other's.</summary>
    public string? RunscRoot { get; init; }

    /// <summary>gVisor platform: <c>ptrace</c> works everywhere; <c>kvm</c> needs a usable /dev/kvm.</summary>
    public string Platform { get; init; } = "ptrace";

    /// <summary>How long CreateAsync waits for the agent's socket to accept a connection (the sentry boots first).</summary>
    public TimeSpan AgentReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most host tasks one sandbox's pids cgroup may hold, whatever its pids limit (see <see cref="RunscOverhead"/>).</summary>
    public int HostTaskCeiling { get; init; } = RunscOverhead.DefaultHostTaskCeiling;

    /// <summary>Diagnostics hook: more global runsc flags (e.g. <c>--debug --debug-log=DIR/</c>).</summary>
    internal IReadOnlyList<string> ExtraRunscFlags { get; init; } = [];

    /// <summary>Test hook: options applied after Airlock's own.</summary>
    internal IReadOnlyList<SpecOption> ExtraSpecOptions { get; init; } = [];

    /// <summary>Observability hook: called with each CreateAsync step and how long it took.</summary>
    internal Action<string, TimeSpan>? OnCreateStep { get; init; }
}
