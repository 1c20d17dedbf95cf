namespace Airlock.Core.Backends;

/// <summary>
/// One isolation tier (container, gvisor, microvm, ...). A backend owns everything its sandboxes hold on the
/// host (bundle, copy-on-write layer, disk quota, cgroup, runtime state, VMM process) under
/// <c>{SandboxesDirectory}/{id}/</c>, and knows nothing of HTTP, policies or the state store.
/// Lifecycle: CreateAsync (prepare + start; returns once the guest agent's channel can be connected)
/// -> ConnectAgentAsync (any number of times) -> Pause/Resume -> DestroyAsync (idempotent; also
/// cleans a half-created sandbox after a crash).
/// </summary>
public interface ISandboxBackend
{
    /// <summary>The tier name reported to users: <c>container</c>, <c>gvisor</c>, <c>microvm</c>.</summary>
    string Tier { get; }

    /// <summary>Whether this host can run the tier, and if not why and how to fix it. Cheap enough to call per create.</summary>
    TierProbe Probe();

    Task CreateAsync(BackendCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>A new byte stream to the sandbox's guest agent (one per operation).</summary>
    Task<Stream> ConnectAgentAsync(string sandboxId, CancellationToken cancellationToken = default);

    Task<BackendState> GetStateAsync(string sandboxId, CancellationToken cancellationToken = default);

    Task PauseAsync(string sandboxId, CancellationToken cancellationToken = default);

    Task ResumeAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>Cumulative counters of limit hits, read before and after a command to name the limit that killed it.</summary>
    Task<LimitCounters> ReadLimitCountersAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>
    /// What the sandbox uses right now, from the host's side (its cgroups), for anomaly rules on resources. Null when
    /// the backend cannot measure it.
    /// </summary>
    Task<ResourceUsage?> ReadUsageAsync(string sandboxId, CancellationToken cancellationToken = default) => Task.FromResult<ResourceUsage?>(null);

    /// <summary>Kills every process and removes every host resource of the sandbox. Idempotent; never throws for "already gone".</summary>
    Task DestroyAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>Ids of the sandboxes this backend finds on the host for this data directory (live or leftover), for the orphan sweep.</summary>
    Task<IReadOnlyList<string>> ListHostSandboxesAsync(CancellationToken cancellationToken = default);
}

public enum BackendState
{
    Missing,
    Creating,
    Running,
    Paused,
    Stopped,
}

/// <summary>
/// A sample of a sandbox's resource use: CPU time consumed since it started (only grows; a rate needs two samples)
/// and its working set — memory in use minus the page cache the kernel can drop, which is what an OOM kill weighs.
/// </summary>
public readonly record struct ResourceUsage(long CpuNanoseconds, long WorkingSetBytes);

/// <summary>Counters that only grow; a delta across a command tells which limit fired.</summary>
public readonly record struct LimitCounters(long OomKills, long PidsRefused);

/// <summary>
/// Whether the host can run a tier. <paramref name="NotForAuto"/>, when set, is why <c>--isolation auto</c>
/// passes over a tier that runs here but does not yet keep Airlock's contract in full (e.g. a microVM under
/// TCG emulation, or a tier whose limit kills differ); it can still be asked for explicitly.
/// <paramref name="HostChecks"/> are the facts the probe established on the way (runtime versions, KVM), shown
/// by <c>airlock doctor</c> beside its own checks so that the two never disagree.
/// </summary>
public sealed record TierProbe(string Tier, bool Available, string Reason, string? Fix = null, string? NotForAuto = null, IReadOnlyList<Doctor.DoctorCheck>? HostChecks = null);

/// <summary>Everything a backend needs to start one sandbox, already validated and defaulted by the engine.</summary>
public sealed record BackendCreateRequest
{
    public required string Id { get; init; }

    /// <summary>Read-only base root filesystem of the image (owned by <see cref="HostIdRange"/>).</summary>
    public required string ImageRootfs { get; init; }

    /// <summary>The guest agent binary on the host, mounted read-only into the sandbox.</summary>
    public required string AgentPath { get; init; }

    public required double Cpus { get; init; }

    public required long MemoryBytes { get; init; }

    public required int Pids { get; init; }

    public required long DiskBytes { get; init; }

    /// <summary>The agent exits (ending the sandbox) after this long; the engine's reaper cleans up the rest.</summary>
    public TimeSpan? Ttl { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public required string Hostname { get; init; }

    /// <summary>
    /// The policy's <c>files</c> rules, in the order written (already checked by <c>FileRuleChecks</c>). A backend
    /// enforces them with mounts inside the sandbox, so that commands and the guest agent's file operations meet
    /// the same read-only or hidden path; a backend that cannot must refuse the create, never ignore them.
    /// </summary>
    public IReadOnlyList<Airlock.Policy.FileRule> FileRules { get; init; } = [];

    /// <summary>
    /// The network the engine made for the sandbox, with the egress gateway as its only way out; null means none
    /// (loopback only). A backend that cannot attach its sandbox to it must refuse the create, never ignore it.
    /// </summary>
    public SandboxNetworkLink? Network { get; init; }
}

/// <summary>
/// A network namespace (<paramref name="NamespacePath"/>, under /run/netns) whose <c>eth0</c> holds
/// <paramref name="SandboxAddress"/>/<paramref name="PrefixLength"/> with a default route via <paramref name="Gateway"/>,
/// the host's end of the link where the egress gateway listens. A container joins the namespace as it is; a VM's
/// backend wires the namespace's <c>eth0</c> to its NIC and gives the guest the same address and route.
/// </summary>
public sealed record SandboxNetworkLink(string NamespacePath, System.Net.IPAddress SandboxAddress, System.Net.IPAddress Gateway, int PrefixLength)
{
    /// <summary>The namespace's name for <c>ip -n</c>: the file name under /run/netns.</summary>
    public string NamespaceName => Path.GetFileName(NamespacePath);
}
