using System.Diagnostics;
using System.Net.Sockets;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;
using Airlock.Oci.Spec;

namespace Airlock.Backends.Runc;

public sealed partial class RuncBackend
{
    private const UnixFileMode Mode0711 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Steps, each undone by <see cref="DestroyAsync"/> from the id alone: sandbox dir -> quota disk (sparse
    /// image, mkfs, loop mount) -> overlay root -> config.json -> runc run -d -> agent oom_score_adj -> wait
    /// for the agent socket. On any failure the partial sandbox is destroyed before the error surfaces.
    /// </summary>
    public async Task CreateAsync(BackendCreateRequest request, CancellationToken cancellationToken = default)
    {
        var layout = SandboxLayout.For(_paths, request.Id);
        layout.ValidateForCreate(request.ImageRootfs);
        if (!Directory.Exists(request.ImageRootfs))
        {
            throw new ArgumentException($"image rootfs not found: {request.ImageRootfs}", nameof(request));
        }

        if (!File.Exists(request.AgentPath))
        {
            throw new ArgumentException($"agent binary not found: {request.AgentPath}", nameof(request));
        }

        PrepareSandboxesDirectory();
        try
        {
            Directory.CreateDirectory(layout.Directory);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"cannot create sandbox directory {layout.Directory}: {e.Message}", e);
        }

        if (Directory.EnumerateFileSystemEntries(layout.Directory).Any())
        {
            throw new InvalidOperationException($"sandbox {request.Id} already exists on this host ({layout.Directory})");
        }

        try
        {
            await CreateStepsAsync(request, layout, cancellationToken);
        }
        catch (Exception createError)
        {
            try
            {
                await DestroyAsync(request.Id, CancellationToken.None);
            }
            catch (Exception destroyError)
            {
                throw new AggregateException($"create of sandbox {request.Id} failed and its cleanup failed too", createError, destroyError);
            }

            throw;
        }
    }

    private async Task CreateStepsAsync(BackendCreateRequest request, SandboxLayout layout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        void Step(string name)
        {
            _options.OnCreateStep?.Invoke(name, clock.Elapsed);
            clock.Restart();
        }

        File.SetUnixFileMode(layout.Directory, Mode0711);
        Directory.CreateDirectory(layout.Bundle);
        File.SetUnixFileMode(layout.Bundle, Mode0711);
        Directory.CreateDirectory(layout.Rootfs);
        File.SetUnixFileMode(layout.Rootfs, Mode0711);

        await SandboxDisk.PrepareAsync(layout, request.DiskBytes, request.ImageRootfs, _diskPool, cancellationToken);
        Step("disk-and-overlay");

        await OciJson.WriteConfigAsync(layout.Bundle, BuildSpec(request, layout), cancellationToken);
        Step("config");

        await _runtime.RunDetachedAsync(layout.ContainerId, layout.Bundle, layout.PidFile, layout.RuncLog, TimeSpan.FromSeconds(60), cancellationToken);
        Step("runc-run");

        var initPid = int.Parse((await File.ReadAllTextAsync(layout.PidFile, cancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        ProtectAgentFromOomKiller(initPid);
        await WaitForAgentAsync(layout, initPid, cancellationToken);
        Step("agent-ready");

        // Formatting the next blank disk competes for the CPU with runc; do it once this sandbox is up.
        _diskPool.RefillInBackground(request.DiskBytes);
    }

    internal RuntimeSpec BuildSpec(BackendCreateRequest request, SandboxLayout layout)
    {
        // Without CAP_SYS_RESOURCE (some container hosts) runc cannot raise the hard limit above ours.
        var noFile = HostFacts.HasCapability(HostFacts.CapSysResource) ? 65536UL : Math.Min(65536UL, HostFacts.NoFileHardLimit());
        List<SpecOption> options =
        [
            SpecOptions.WithRootfs(layout.Rootfs),
            SpecOptions.WithHostname(request.Hostname),
            SpecOptions.WithUserNamespace(HostIdRange.Base, HostIdRange.Size),
            SpecOptions.WithAgentProcess(request.Ttl, childTasks: request.Pids),
            SpecOptions.WithEnv(request.Env),
            SpecOptions.WithDevPtsGroup(HostFacts.TtyGroup(request.ImageRootfs)),
            SpecOptions.WithAgentBinary(Path.GetFullPath(request.AgentPath)),
            SpecOptions.WithAgentSocketDirectory(layout.SocketDirectory),
            SpecOptions.WithCgroupsPath(layout.CgroupsPath),
            SpecOptions.WithCpus(request.Cpus),
            SpecOptions.WithMemory(request.MemoryBytes, limitSwap: SwapLimitSupported()),
            // The user's budget is enforced on their commands by the agent (RLIMIT_NPROC); the cgroup adds the agent's reserve.
            SpecOptions.WithPids(request.Pids + AgentContract.AgentTaskReserve),
            SpecOptions.WithRlimit("RLIMIT_NOFILE", noFile, noFile),
            .. _options.ExtraSpecOptions,
        ];
        return SpecBuilder.Build(options);
    }

    /// <summary>cgroup v1 without swap accounting (swapaccount=0) has no memsw files and runc would fail to set the swap limit.</summary>
    private static bool SwapLimitSupported() =>
        !Directory.Exists("/sys/fs/cgroup/memory") || File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");

    /// <summary>Sandboxes, and the data directory above it, must be traversable by the mapped root, or runc init cannot reach rootfs.</summary>
    private void PrepareSandboxesDirectory()
    {
        var sandboxes = Path.GetFullPath(_paths.Sandboxes);
        if (!Directory.Exists(sandboxes))
        {
            Directory.CreateDirectory(sandboxes);
            File.SetUnixFileMode(sandboxes, Mode0711);
        }

        for (var dir = sandboxes; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                throw new InvalidOperationException($"{dir} is not traversable by the sandbox's mapped root user (needs o+x, e.g. chmod 711 {dir})");
            }
        }
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

    private async Task WaitForAgentAsync(SandboxLayout layout, int initPid, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            if (File.Exists(layout.AgentSocket))
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.AgentSocket), cancellationToken);
                    return;
                }
                catch (SocketException)
                {
                    // Bound but not yet listening, or a stale socket of a dead agent: keep polling.
                }
            }

            if (!Directory.Exists($"/proc/{initPid}"))
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: the agent exited before listening on {AgentContract.SocketPath}. runc: {OciRuntime.ReadLogErrors(layout.RuncLog)}");
            }

            if (_time.GetElapsedTime(deadline) > _options.AgentReadyTimeout)
            {
                throw new TimeoutException($"sandbox {layout.Id}: the agent did not listen on {AgentContract.SocketPath} within {_options.AgentReadyTimeout.TotalSeconds:0.#}s. runc: {OciRuntime.ReadLogErrors(layout.RuncLog)}");
            }

            // A short fixed interval: the agent is usually listening within a few ms of runc returning,
            // and every ms of polling granularity is create latency.
            await Task.Delay(delay, cancellationToken);
        }
    }
}
