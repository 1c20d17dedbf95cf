using System.Net.Sockets;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Gvisor;

/// <summary>
/// The user-space-kernel tier: the same OCI bundle as the container tier (quota disk, overlay root,
/// agent as init, cgroup limits) run by gVisor's <c>runsc</c>, so the sandbox's system calls are served
/// by the sentry rather than the host kernel. Holds no state in memory: every host name derives from the
/// sandbox id (<see cref="SandboxLayout"/>, runsc state under <see cref="RunscRoot"/>), so a restarted
/// daemon can operate on or clean up any sandbox.
/// <para>
/// The agent channel is the container tier's: the agent listens on /run/airlock/agent.sock, a bind mount
/// of <c>{sandbox}/disk/run</c>. runsc only makes such a socket a host socket with <c>--host-uds=all</c>
/// (<c>create</c> alone binds a host file that refuses connections; <c>open</c> alone keeps the socket
/// inside the sentry). The <c>open</c> half lets the sandbox connect to host sockets visible through its
/// own mounts, and there are none: its root is the image plus its own disk, and the only other mounts
/// are the agent binary and this socket directory.
/// </para>
/// </summary>
public sealed partial class GvisorBackend : ISandboxBackend
{
    /// <summary>Written into a sandbox directory so the orphan sweep tells gVisor sandboxes from the container tier's.</summary>
    internal const string TierMarker = "tier-gvisor";

    private readonly AirlockPaths _paths;
    private readonly GvisorBackendOptions _options;
    private readonly OciRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly BlankDiskPool _diskPool;

    public GvisorBackend(AirlockPaths paths)
        : this(paths, new GvisorBackendOptions())
    {
    }

    public GvisorBackend(AirlockPaths paths, GvisorBackendOptions options, TimeProvider? timeProvider = null)
    {
        _paths = paths;
        _options = options;
        RunscRoot = Path.GetFullPath(options.RunscRoot ?? Path.Combine(paths.DataDirectory, "runsc"));
        _runtime = new OciRuntime(options.RunscPath, RunscRoot, RunscFlags(options), ControlLauncher);
        _time = timeProvider ?? TimeProvider.System;
        _diskPool = new BlankDiskPool(paths);
    }

    public string Tier => "gvisor";

    /// <summary>runsc's <c>--root</c>: its state files for this data directory's sandboxes.</summary>
    internal string RunscRoot { get; }

    public TierProbe Probe() => GvisorProbe.Run(Tier, _options.RunscPath, _options.Platform);

    public Task<Stream> ConnectAgentAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        OciSandboxChannel.ConnectAgentAsync(SandboxLayout.For(_paths, sandboxId), cancellationToken);

    public Task<BackendState> GetStateAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        OciSandboxChannel.GetStateAsync(_runtime, SandboxLayout.For(_paths, sandboxId), cancellationToken);

    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        _runtime.PauseAsync(SandboxLayout.For(_paths, sandboxId).ContainerId, cancellationToken);

    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        _runtime.ResumeAsync(SandboxLayout.For(_paths, sandboxId).ContainerId, cancellationToken);

    /// <summary>From the sandbox's cgroups (under gVisor they also hold the sentry's own threads, which is the CPU and memory the sandbox costs the host).</summary>
    public Task<ResourceUsage?> ReadUsageAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Task.FromResult(CgroupUsage.Read(SandboxCgroups.Directories(SandboxLayout.For(_paths, sandboxId))));

    /// <summary>
    /// OOM kills come from the host memory cgroup, as in the container tier, but under gVisor an OOM kill
    /// ends the whole sandbox (see <see cref="CreateAsync"/>). Forks refused by the sandbox's pids limit are
    /// refused inside the sentry (RLIMIT_NPROC), which counts nothing the host can read: PidsRefused only
    /// moves when the host backstop trips.
    /// </summary>
    public Task<LimitCounters> ReadLimitCountersAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Task.FromResult(SandboxCgroups.ReadCounters(SandboxLayout.For(_paths, sandboxId)));

    /// <summary>runsc containers named airlock-* in this data directory's runsc root (listed, or only their files left), plus the sandbox directories marked as gVisor's.</summary>
    public async Task<IReadOnlyList<string>> ListHostSandboxesAsync(CancellationToken cancellationToken = default)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(RunscRoot))
        {
            foreach (var container in await _runtime.ListAsync(cancellationToken))
            {
                if (container.Id.StartsWith(SandboxLayout.ContainerPrefix, StringComparison.Ordinal))
                {
                    ids.Add(container.Id[SandboxLayout.ContainerPrefix.Length..]);
                }
            }
        }

        ids.UnionWith(IdsInRunscFiles());

        if (Directory.Exists(_paths.Sandboxes))
        {
            foreach (var directory in Directory.EnumerateDirectories(_paths.Sandboxes))
            {
                if (File.Exists(Path.Combine(directory, TierMarker)))
                {
                    ids.Add(Path.GetFileName(directory));
                }
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// Global runsc flags of every call (runsc re-reads them on each verb). <c>--network=none</c>: the
    /// sandbox gets a loopback-only netstack (runsc refuses to run its netstack in the host's network
    /// namespace, and an empty namespace is what the container tier gives too). <c>--ignore-cgroups</c>: the engine
    /// makes and removes the sandbox's cgroups itself (see <see cref="CreateAsync"/>).
    /// </summary>
    private static IReadOnlyList<string> RunscFlags(GvisorBackendOptions options) =>
        ["--platform=" + options.Platform, "--network=none", "--host-uds=all", "--ignore-cgroups", .. options.ExtraRunscFlags];

    /// <summary>The file in a sandbox's bundle naming the network namespace it was started in (absent: none of the engine's).</summary>
    private static string NetnsFile(SandboxLayout layout) => Path.Combine(layout.Bundle, "netns");

    /// <summary>
    /// Every runsc verb after <c>run</c> reaches the sandbox over an abstract unix socket, which lives in the network
    /// namespace the sandbox runs in: for a sandbox with one of the engine's, runsc runs inside it too. A namespace
    /// already gone (a crash took it) leaves runsc to its own means (delete --force still kills by pid).
    /// </summary>
    private IReadOnlyList<string> ControlLauncher(string containerId)
    {
        if (!containerId.StartsWith(SandboxLayout.ContainerPrefix, StringComparison.Ordinal)) return [];
        var file = NetnsFile(SandboxLayout.For(_paths, containerId[SandboxLayout.ContainerPrefix.Length..]));
        var netns = File.Exists(file) ? File.ReadAllText(file).Trim() : "";
        return netns.Length > 0 && File.Exists(netns) ? ["nsenter", "--net=" + netns] : [];
    }
}
