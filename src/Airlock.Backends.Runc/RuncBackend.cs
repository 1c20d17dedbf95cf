using System.Net.Sockets;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;

namespace Airlock.Backends.Runc;

/// <summary>
/// The container tier: runc with a hardened spec (user namespace onto <see cref="HostIdRange"/>, small
/// capability set, seccomp allowlist, empty network namespace), an overlay root on a per-sandbox ext4
/// quota disk, and cgroup limits. Holds no state in memory: every host name derives from the sandbox id
/// (see <see cref="SandboxLayout"/>), so a restarted daemon can operate on or clean up any sandbox.
/// </summary>
public sealed partial class RuncBackend : ISandboxBackend
{
    private readonly AirlockPaths _paths;
    private readonly RuncBackendOptions _options;
    private readonly OciRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly BlankDiskPool _diskPool;
    private string? _runcVersion;

    public RuncBackend(AirlockPaths paths)
        : this(paths, new RuncBackendOptions())
    {
    }

    public RuncBackend(AirlockPaths paths, RuncBackendOptions options, TimeProvider? timeProvider = null)
    {
        _paths = paths;
        _options = options;
        _runtime = new OciRuntime(options.RuncPath, options.RuncRoot);
        _time = timeProvider ?? TimeProvider.System;
        _diskPool = new BlankDiskPool(paths);
    }

    public string Tier => "container";

    public TierProbe Probe() => HostProbe.Run(Tier, _options.RuncPath, ref _runcVersion);

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

    public Task<LimitCounters> ReadLimitCountersAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Task.FromResult(SandboxCgroups.ReadCounters(SandboxLayout.For(_paths, sandboxId)));

    /// <summary>runc containers named airlock-* whose bundle lies under this data directory, plus every sandbox directory.</summary>
    public async Task<IReadOnlyList<string>> ListHostSandboxesAsync(CancellationToken cancellationToken = default)
    {
        // The startup sweep asks every tier for its leftovers: a blank disk a killed daemon was formatting is one
        // (found by the kill -9 harness: it stayed until the next pool refill, or forever if none came).
        _diskPool.RemoveStaleMakings();
        var sandboxes = Path.GetFullPath(_paths.Sandboxes).TrimEnd('/') + "/";
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var container in await _runtime.ListAsync(cancellationToken))
        {
            if (container.Id.StartsWith(SandboxLayout.ContainerPrefix, StringComparison.Ordinal)
                && container.Bundle.StartsWith(sandboxes, StringComparison.Ordinal))
            {
                ids.Add(container.Id[SandboxLayout.ContainerPrefix.Length..]);
            }
        }

        if (Directory.Exists(sandboxes))
        {
            foreach (var directory in Directory.EnumerateDirectories(sandboxes))
            {
                ids.Add(Path.GetFileName(directory));
            }
        }

        return [.. ids];
    }
}
