using System.Diagnostics;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;
using Airlock.Oci.PathRules;
using Airlock.Oci.Spec;

namespace Airlock.Backends.Runc;

public sealed partial class RuncBackend
{
    /// <summary>
    /// Steps, each undone by <see cref="DestroyAsync"/> from the id alone: sandbox dir -> quota disk (sparse
    /// image, mkfs, loop mount) -> overlay root -> config.json -> runc run -d -> agent oom_score_adj -> wait
    /// for the agent socket. On any failure the partial sandbox is destroyed before the error surfaces.
    /// </summary>
    public Task CreateAsync(BackendCreateRequest request, CancellationToken cancellationToken = default)
    {
        var layout = SandboxLayout.For(_paths, request.Id);
        return OciSandboxLifecycle.CreateAsync(_paths, layout, request, () => CreateStepsAsync(request, layout, cancellationToken), () => DestroyAsync(request.Id, CancellationToken.None));
    }

    private async Task CreateStepsAsync(BackendCreateRequest request, SandboxLayout layout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        void Step(string name)
        {
            _options.OnCreateStep?.Invoke(name, clock.Elapsed);
            clock.Restart();
        }

        OciSandboxLifecycle.CreateBundleDirectories(layout);

        // The launcher's shell and setsid start while the disk and config.json are made: two execs (~4 ms on this
        // project's machine) that lay on the create's path when they ran after them.
        await using var held = _runtime.StartHeldRun(layout.ContainerId, layout.Bundle, layout.PidFile, layout.RuncLog, OciRuntime.SessionLauncher, cancellationToken);

        await SandboxDisk.PrepareAsync(layout, request.DiskBytes, request.ImageRootfs, _diskPool, cancellationToken);
        var pathRules = OciSandboxLifecycle.ResolvePathRules(layout, request);
        Step("disk-and-overlay");

        await OciJson.WriteConfigAsync(layout.Bundle, BuildSpec(request, layout, pathRules), cancellationToken);
        Step("config");

        await held.RunAsync(TimeSpan.FromSeconds(60), cancellationToken);
        Step("runc-run");

        var initPid = int.Parse((await File.ReadAllTextAsync(layout.PidFile, cancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProtectAgentFromOomKiller(initPid);
        await OciSandboxLifecycle.WaitForAgentAsync(layout, initPid, layout.RuncLog, _time, _options.AgentReadyTimeout, cancellationToken);
        Step("agent-ready");

        // Formatting the next blank disk (at the lowest CPU priority) competes with runc; do it once this sandbox is up.
        _diskPool.RefillInBackground(request.DiskBytes);
    }

    internal RuntimeSpec BuildSpec(BackendCreateRequest request, SandboxLayout layout, IReadOnlyList<ResolvedPathRule>? pathRules = null)
    {
        // Without CAP_SYS_RESOURCE (some container hosts) runc cannot raise the hard limit above ours.
        var noFile = HostFacts.HasCapability(HostFacts.CapSysResource) ? 65536UL : Math.Min(65536UL, HostFacts.NoFileHardLimit());
        List<SpecOption> options =
        [
            SpecOptions.WithRootfs(layout.Rootfs),
            SpecOptions.WithHostname(request.Hostname),
            SpecOptions.WithNetworkNamespace(request.Network?.NamespacePath),
            SpecOptions.WithUserNamespace(HostIdRange.Base, HostIdRange.Size),
            SpecOptions.WithAgentProcess(request.Ttl, childTasks: request.Pids),
            SpecOptions.WithEnv(request.Env),
            SpecOptions.WithDevPtsGroup(HostFacts.TtyGroup(request.ImageRootfs)),
            SpecOptions.WithAgentBinary(Path.GetFullPath(request.AgentPath)),
            SpecOptions.WithAgentSocketDirectory(layout.SocketDirectory),
            SpecOptions.WithCgroupsPath(layout.CgroupsPath),
            SpecOptions.WithCpus(request.Cpus),
            SpecOptions.WithMemory(request.MemoryBytes, limitSwap: OciSandboxLifecycle.SwapLimitSupported()),
            // The user's budget is enforced on their commands by the agent (RLIMIT_NPROC); the cgroup adds the agent's reserve.
            SpecOptions.WithPids(request.Pids + AgentContract.AgentTaskReserve),
            SpecOptions.WithRlimit("RLIMIT_NOFILE", noFile, noFile),
            // Last: the policy's path rules may cover any path of the root, never a mount above.
            PathRuleMounts.WithPathRules(layout.Rootfs, pathRules ?? [], layout.EmptyFile),
            .. _options.ExtraSpecOptions,
        ];
        return SpecBuilder.Build(options);
    }

    /// <summary>
    /// The agent must outlive an OOM inside its sandbox (it reports the kill); it resets its children to 0.
    /// Lowering below the current value needs CAP_SYS_RESOURCE, which some hosts withhold: then best effort.
    /// </summary>
    private static void ProtectAgentFromOomKiller(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/oom_score_adj", "-1000");
        }
        catch (UnauthorizedAccessException)
        {
        }
        catch (IOException)
        {
        }
    }
}
