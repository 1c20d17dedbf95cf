using System.Diagnostics;
using System.Globalization;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;
using Airlock.Oci.PathRules;
using Airlock.Oci.Spec;

namespace Airlock.Backends.Gvisor;

public sealed partial class GvisorBackend
{
    /// <summary>
    /// Steps, each undone by <see cref="DestroyAsync"/> from the id alone: sandbox dir (+ tier marker) ->
    /// quota disk and overlay root (shared with the container tier) -> config.json -> runsc run -d -> the
    /// memory cgroup grows by gVisor's own footprint -> wait for the agent socket.
    /// <para>
    /// Memory: the spec's limit is the user's (the sentry reports it as MemTotal) and the agent's memory guard
    /// kills the largest process when the sentry's usage reaches it, so the command ends with exit 137 and
    /// <c>memory</c> while the sandbox lives on, as in the container tier. The host cgroup grants
    /// <see cref="RunscOverhead.MemoryBytes"/> on top for the sentry, the gofer and what a command allocates
    /// between two of the guard's polls; only past that does the host OOM killer pick a sentry or stub
    /// process, which ends the whole sandbox (counted in <see cref="LimitCounters.OomKills"/>).
    /// </para>
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

        await File.WriteAllTextAsync(Path.Combine(layout.Directory, TierMarker), "", cancellationToken);
        OciSandboxLifecycle.CreateBundleDirectories(layout);

        await SandboxDisk.PrepareAsync(layout, request.DiskBytes, request.ImageRootfs, _diskPool, cancellationToken);
        var pathRules = OciSandboxLifecycle.ResolvePathRules(layout, request);
        Step("disk-and-overlay");

        await OciJson.WriteConfigAsync(layout.Bundle, BuildSpec(request, layout, pathRules), cancellationToken);
        Step("config");

        Directory.CreateDirectory(RunscRoot);
        File.SetUnixFileMode(RunscRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The sandbox's runsc processes keep their stderr on /dev/null; --panic-log keeps a Go runtime abort
        // of the sentry or gofer (the only trace of e.g. a refused thread) where a person can read it.
        // With a network namespace of the engine's, --network=sandbox: the sentry's own netstack takes over the
        // namespace's eth0 (address and default route as iproute2 set them) and writes frames to it from the host.
        var flags = RunscFlags(_options).Select(f => f == "--network=none" && request.Network is not null ? "--network=sandbox" : f);
        var run = new OciRuntime(_options.RunscPath, RunscRoot, [.. flags, "--panic-log=" + RunscPanicLog(layout)]);
        IReadOnlyList<string>? launcher = null;
        if (request.Network?.NamespacePath is { } netns)
        {
            await File.WriteAllTextAsync(NetnsFile(layout), netns, cancellationToken);
            launcher = NetstackLauncher(netns);
        }

        await run.RunDetachedAsync(layout.ContainerId, layout.Bundle, layout.PidFile, RunscLog(layout), TimeSpan.FromSeconds(60), launcher, cancellationToken);
        Step("runsc-run");

        GrantRunscMemory(layout, request.MemoryBytes);
        var sentryPid = int.Parse((await File.ReadAllTextAsync(layout.PidFile, cancellationToken)).Trim(), CultureInfo.InvariantCulture);
        await OciSandboxLifecycle.WaitForAgentAsync(layout, sentryPid, RunscLog(layout), _time, _options.AgentReadyTimeout, cancellationToken);
        Step("agent-ready");
    }

    internal RuntimeSpec BuildSpec(BackendCreateRequest request, IReadOnlyList<ResolvedPathRule>? pathRules = null) => BuildSpec(request, SandboxLayout.For(_paths, request.Id), pathRules);

    private RuntimeSpec BuildSpec(BackendCreateRequest request, SandboxLayout layout, IReadOnlyList<ResolvedPathRule>? pathRules)
    {
        List<SpecOption> options =
        [
            SpecOptions.WithRootfs(layout.Rootfs),
            SpecOptions.WithHostname(request.Hostname),
            SpecOptions.WithNetworkNamespace(request.Network?.NamespacePath),
            // runsc runs its gofer inside this mapping, so files the sandbox creates on its disk belong to
            // HostIdRange on the host exactly as in the container tier; the sentry itself runs as nobody.
            SpecOptions.WithUserNamespace(HostIdRange.Base, HostIdRange.Size),
            // The host OOM killer would end the whole sentry: the agent kills the command at the user's limit
            // first, and the host cgroup keeps RunscOverhead.MemoryBytes above it as the backstop.
            SpecOptions.WithAgentProcess(request.Ttl, childTasks: request.Pids, memoryBytes: request.MemoryBytes),
            SpecOptions.WithEnv(request.Env),
            SpecOptions.WithDevPtsGroup(HostFacts.TtyGroup(request.ImageRootfs)),
            SpecOptions.WithAgentBinary(Path.GetFullPath(request.AgentPath)),
            SpecOptions.WithAgentSocketDirectory(layout.SocketDirectory),
            SpecOptions.WithCgroupsPath(layout.CgroupsPath),
            SpecOptions.WithCpus(request.Cpus),
            SpecOptions.WithMemory(request.MemoryBytes, limitSwap: OciSandboxLifecycle.SwapLimitSupported()),
            GvisorSpecOptions.WithGuestTaskLimit(request.Pids + AgentContract.AgentTaskReserve, RunscOverhead.HostTaskBudget(request.Pids, _options.HostTaskCeiling)),
            // The sentry implements rlimits itself: no host CAP_SYS_RESOURCE is needed to grant them.
            SpecOptions.WithRlimit("RLIMIT_NOFILE", 65536, 65536),
            GvisorSpecOptions.WithoutSeccomp(),
            // Last: the policy's path rules may cover any path of the root, never a mount above.
            PathRuleMounts.WithPathRules(layout.Rootfs, pathRules ?? [], layout.EmptyFile),
            .. _options.ExtraSpecOptions,
        ];
        return SpecBuilder.Build(options);
    }

    internal static string RunscLog(SandboxLayout layout) => Path.Combine(layout.Bundle, "runsc.log");

    internal static string RunscPanicLog(SandboxLayout layout) => Path.Combine(layout.Bundle, "runsc-panic.log");

    /// <summary>
    /// Raises the host memory limit by the sentry's and gofer's own footprint, after runsc set the user's:
    /// until then the limit is only tighter. memsw first: v1 refuses a memory limit above memory+swap.
    /// </summary>
    private static void GrantRunscMemory(SandboxLayout layout, long userBytes)
    {
        var total = (userBytes + RunscOverhead.MemoryBytes).ToString(CultureInfo.InvariantCulture);
        foreach (var directory in SandboxCgroups.Directories(layout))
        {
            foreach (var file in new[] { "memory.memsw.limit_in_bytes", "memory.limit_in_bytes", "memory.max", "memory.swap.max" })
            {
                var path = Path.Combine(directory, file);
                if (!File.Exists(path)) continue;
                // v2's memory.swap.max is swap alone: keep it at 0 (no swap), as the container tier does.
                File.WriteAllText(path, file == "memory.swap.max" ? "0" : total);
            }
        }
    }
}
