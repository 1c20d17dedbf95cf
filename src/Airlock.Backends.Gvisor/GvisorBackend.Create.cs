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
    /// Steps, each undone by <see cref="DestroyAsync"/> from the id alone: sandbox dir (+ tier marker) -> the sandbox's
    /// cgroups, made here with their memory and task limits -> <c>airlock-agent runsc-exec --hold</c> started, joining
    /// them -> quota disk and overlay root (shared with the container tier) -> config.json -> the launcher told to go: it
    /// execs runsc run -d (see RunscLauncher: runsc is born in those cgroups and runs with <c>--ignore-cgroups</c>) ->
    /// wait for the agent socket -> the CPU limit (see <see cref="SandboxCgroups.LimitCpu"/>). A create that fails before
    /// the go closes the launcher's input, and it ends having started nothing.
    /// <para>
    /// Memory: the sentry reports the user's limit as MemTotal (runsc-exec shows runsc that figure as the machine's
    /// memory) and the agent's memory guard kills the largest process when the sentry's usage reaches it, so the
    /// command ends with exit 137 and <c>memory</c> while the sandbox lives on, as in the container tier. The host cgroup
    /// allows <see cref="RunscOverhead.MemoryBytes"/> on top for the sentry, the gofer and what a command allocates
    /// between two of the guard's polls; only past that does the host OOM killer pick a sentry or stub process, which
    /// ends the whole sandbox (counted in <see cref="LimitCounters.OomKills"/>).
    /// </para>
    /// <para>
    /// Why the engine and not runsc makes the cgroups: runsc joins them itself and moves back out after starting the
    /// sandbox, two cgroup migrations, each a kernel RCU grace period (5-23 ms on the development VM). runsc-exec joins
    /// once, before runsc starts, and in a v1 hierarchy without that wait (through <c>tasks</c>, see RunscLauncher);
    /// the memory and task limits are complete before any process exists; and the launcher's own start (~5 ms) overlaps
    /// the disk step.
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

        Directory.CreateDirectory(RunscRoot);
        File.SetUnixFileMode(RunscRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cgroupProcs = SandboxCgroups.CreateWithLimits(layout.CgroupsPath, request.MemoryBytes + RunscOverhead.MemoryBytes,
            RunscOverhead.HostTaskBudget(request.Pids, _options.HostTaskCeiling));

        // The sandbox's runsc processes keep their stderr on /dev/null; --panic-log keeps a Go runtime abort
        // of the sentry or gofer (the only trace of e.g. a refused thread) where a person can read it.
        // With a network namespace of the engine's, --network=sandbox: the sentry's own netstack takes over the
        // namespace's eth0 (address and default route as iproute2 set them) and writes frames to it from the host.
        var flags = RunscFlags(_options).Select(f => f == "--network=none" && request.Network is not null ? "--network=sandbox" : f);
        var run = new OciRuntime(_options.RunscPath, RunscRoot, [.. flags, "--panic-log=" + RunscPanicLog(layout)]);
        var scratch = Directory.CreateDirectory(Path.Combine(layout.Bundle, "launch")).FullName;
        List<string> launcher = [Path.GetFullPath(request.AgentPath), "runsc-exec", "--scratch", scratch,
            "--mem-total", request.MemoryBytes.ToString(CultureInfo.InvariantCulture), "--hold"];
        if (request.Network?.NamespacePath is { } netns)
        {
            await File.WriteAllTextAsync(NetnsFile(layout), netns, cancellationToken);
            launcher.AddRange(["--netns", netns]);
        }

        foreach (var procs in cgroupProcs) launcher.AddRange(["--cgroup", procs]);
        launcher.Add("--");

        // The launcher joins the cgroups and namespaces while the disk and config.json are made (see RunscLauncher).
        await using var held = run.StartHeldRun(layout.ContainerId, layout.Bundle, layout.PidFile, RunscLog(layout), launcher, cancellationToken);
        Step("cgroups-and-launcher");

        await SandboxDisk.PrepareAsync(layout, request.DiskBytes, request.ImageRootfs, _diskPool, cancellationToken);
        var pathRules = OciSandboxLifecycle.ResolvePathRules(layout, request);
        Step("disk-and-overlay");

        await OciJson.WriteConfigAsync(layout.Bundle, BuildSpec(request, layout, pathRules), cancellationToken);
        Step("config");

        await held.RunAsync(TimeSpan.FromSeconds(60), cancellationToken);
        Step("runsc-run");

        var sentryPid = int.Parse((await File.ReadAllTextAsync(layout.PidFile, cancellationToken)).Trim(), CultureInfo.InvariantCulture);
        await OciSandboxLifecycle.WaitForAgentAsync(layout, sentryPid, RunscLog(layout), _time, _options.AgentReadyTimeout, cancellationToken);
        Step("agent-ready");

        // Only now: the sentry's and gofer's start is runsc's, not the user's, and ran ~150 ms longer under the quota.
        SandboxCgroups.LimitCpu(layout.CgroupsPath, request.Cpus);

        // The next create of this size takes a blank disk instead of running mkfs (~5 ms) on its critical path.
        _diskPool.RefillInBackground(request.DiskBytes);
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
            // runsc ignores these three (--ignore-cgroups; the engine writes the limits, see CreateAsync); they state the
            // sandbox's cgroup and limits for whoever reads the bundle, and a raw runsc run of it (the bench's baseline).
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
}
