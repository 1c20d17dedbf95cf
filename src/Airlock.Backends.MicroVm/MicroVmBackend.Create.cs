using System.Diagnostics;
using Airlock.Backends.Runc;
using Airlock.Core.Backends;
using Airlock.Guest.Protocol;
using Airlock.Oci;

namespace Airlock.Backends.MicroVm;

public sealed partial class MicroVmBackend
{
    private const UnixFileMode Mode0711 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Steps, each undone by <see cref="DestroyAsync"/> from the id alone: base disk (cached per image) ->
    /// sandbox dir -> quota disk (blank ext4 from the pool) -> initrd (shared initramfs + agent + settings) ->
    /// NIC wiring in the engine's namespace (with a network only) -> cgroup -> QEMU (jailed; in that namespace) ->
    /// bridge (jailed) -> agent answers a ping through the bridge. On any failure
    /// the partial sandbox is destroyed before the error surfaces.
    /// </summary>
    public async Task CreateAsync(BackendCreateRequest request, CancellationToken cancellationToken = default)
    {
        var layout = MicroVmLayout.For(_paths, request.Id);
        layout.ValidateForCreate();
        if (!Directory.Exists(request.ImageRootfs)) throw new ArgumentException($"image rootfs not found: {request.ImageRootfs}", nameof(request));
        if (!File.Exists(request.AgentPath)) throw new ArgumentException($"agent binary not found: {request.AgentPath}", nameof(request));
        var probe = Probe();
        if (!probe.Available) throw new InvalidOperationException($"the microvm tier is not available: {probe.Reason}");
        var kernel = GuestKernel.Find(_options.KernelDirectory)!;
        // Resolved in the image from the host (the guest's root is that image plus an empty upper layer), so a rule
        // the image cannot carry is refused here with its reason instead of failing the guest's boot.
        var pathRules = PathRuleResolver.Resolve(request.ImageRootfs, request.FileRules, createMissing: false);

        Directory.CreateDirectory(MicroVmLayout.Root(_paths));
        File.SetUnixFileMode(MicroVmLayout.Root(_paths), Mode0711);
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
            try
            {
                await CreateStepsAsync(request, layout, kernel, pathRules, cancellationToken);
            }
            catch (TemplateRestoreException)
            {
                // A snapshot this QEMU refuses (another QEMU build, a damaged file): drop it and boot, which saves a new one.
                await DestroyAsync(request.Id, CancellationToken.None);
                Directory.CreateDirectory(layout.Directory);
                await CreateStepsAsync(request, layout, kernel, pathRules, cancellationToken);
            }
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

    private async Task CreateStepsAsync(BackendCreateRequest request, MicroVmLayout layout, GuestKernel kernel, IReadOnlyList<Oci.PathRules.ResolvedPathRule> pathRules, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        void Step(string name)
        {
            _options.OnCreateStep?.Invoke(name, clock.Elapsed);
            clock.Restart();
        }

        var uid = _options.VmmUid;
        File.SetUnixFileMode(layout.Directory, Mode0711);
        var baseDisk = await BaseDisk.EnsureAsync(request.ImageRootfs, uid, cancellationToken);
        if (baseDisk.Contains(',', StringComparison.Ordinal)) throw new ArgumentException($"path cannot be passed to QEMU (contains a comma): {baseDisk}");
        Step("base-disk");

        if (!_diskPool.TryTake(request.DiskBytes, layout.DiskImage))
        {
            await BlankDiskPool.FormatAsync(layout.DiskImage, request.DiskBytes, cancellationToken);
        }

        _diskPool.RefillInBackground(request.DiskBytes);
        OwnBy(layout.DiskImage, uid, Mode0600);
        Step("quota-disk");

        var settings = new BootSettings(request.Hostname, request.Ttl, request.Env, _options.VerboseConsole) { MemoryBytes = request.MemoryBytes, Tasks = request.Pids, PathRules = pathRules, Network = request.Network };
        _ = settings.AgentEnv(); // refuses a bad variable name before anything starts (a restore would blame its template)
        // The guest gets the user's limit plus room for its own kernel; its cgroup holds the user to the limit.
        var guestRam = request.MemoryBytes + _options.GuestKernelBytes;
        var kvm = _kvm?.Usable == true;
        var template = TemplateFor(request, kernel, baseDisk, guestRam, kvm);
        var restore = template is { IsReady: true };
        string? building = null;
        string initrd;
        if (template is null)
        {
            initrd = layout.Initrd;
            await BootArchive.WriteAsync(initrd, kernel.Initramfs, request.AgentPath, settings, cancellationToken);
            OwnBy(initrd, uid, UnixFileMode.UserRead);
        }
        else if (restore)
        {
            initrd = template.Initrd;
            template.MarkUsed();
        }
        else
        {
            building = template.BeginBuild();
            initrd = Path.Combine(building, GuestTemplate.InitrdName);
            await BootArchive.WriteAsync(initrd, kernel.Initramfs, request.AgentPath, BootSettings.TemplateBootEnv(_options.VerboseConsole), "", cancellationToken);
            // Root's, readable by all: every QEMU of the kind reads it, none may change it.
            File.SetUnixFileMode(initrd, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        Directory.CreateDirectory(layout.VmDirectory);
        OwnBy(layout.VmDirectory, uid, Mode0700);
        Step("initrd");

        try
        {
            if (request.Network is { } network)
            {
                await GuestNic.AttachAsync(network, cancellationToken);
                Step("nic");
            }

            var procs = VmmCgroup.Create(layout, guestRam + _options.VmmOverheadBytes, 64 + 4 * (int)Math.Ceiling(request.Cpus), request.Cpus);
            var qemu = QemuCommandLine.Build(_options.QemuPath, kernel, layout, initrd, baseDisk, kvm, guestRam, request.Cpus, _options.VerboseConsole, HostTsc.Khz,
                nic: request.Network is not null, incoming: restore ? layout.IncomingSocket : null);
            // The exact argv heads QEMU's log (root-owned, outside vm/): what to rerun by hand when a boot misbehaves.
            await File.WriteAllTextAsync(layout.QemuLog, "# " + string.Join(' ', qemu) + "\n", cancellationToken);
            var qemuPid = await JailedProcess.StartAsync(layout.QemuPidFile, layout.QemuLog, procs, uid, qemu, cancellationToken,
                request.Network is { } link ? GuestNic.Launcher(link, Path.GetFullPath(request.AgentPath)) : JailedProcess.NoNetwork);
            if (restore)
            {
                try
                {
                    await RestoreTemplateAsync(layout, template!, qemuPid, cancellationToken);
                    Step("restore");
                    await SendSettingsAsync(layout, settings, qemuPid, cancellationToken);
                    Step("settings");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    template!.Discard();
                    throw new TemplateRestoreException($"sandbox {request.Id}: restoring template {template.Key} failed", e);
                }
            }
            else
            {
                await WaitForFileAsync(layout.SerialSocket, qemuPid, layout, cancellationToken);
                Step("qemu-start");
            }

            if (building is not null)
            {
                // /init opens the port where it waits for its settings: the guest is at the template's point.
                await WaitForGuestPortAsync(layout, qemuPid, cancellationToken);
                Step("template-boot");
                var saved = await TrySaveTemplateAsync(layout, Path.Combine(building, GuestTemplate.StateName), uid, cancellationToken);
                Step(saved ? "template-save" : "template-not-saved");
                await SendSettingsAsync(layout, settings, qemuPid, cancellationToken);
                Step("settings");
                // Published once a guest went on from it: a template whose guest cannot take its settings is never used.
                if (saved)
                {
                    template!.Publish(building);
                    building = null;
                }
            }

            await StartBridgeAsync(request, layout, uid, procs, qemuPid, Step, cancellationToken);
        }
        finally
        {
            if (building is not null) GuestTemplate.DeleteQuietly(building);
        }
    }

    private async Task StartBridgeAsync(BackendCreateRequest request, MicroVmLayout layout, uint uid, IReadOnlyList<string> procs, int qemuPid, Action<string> step, CancellationToken cancellationToken)
    {
        // The bridge starts once the guest agent has opened its port: a session handshake sent before that
        // is lost in the closed port and the bridge/agent pair does not recover from it (as of this writing).
        await WaitForGuestPortAsync(layout, qemuPid, cancellationToken);
        step("guest-port-open");

        // The bridge is the host end of the serial port: one connection to QEMU's chardev, one unix-socket
        // connection per operation towards the engine. It runs jailed like QEMU (same uid and cgroup).
        await JailedProcess.StartAsync(
            layout.BridgePidFile, layout.BridgeLog, procs, uid,
            [Path.GetFullPath(request.AgentPath), "bridge", "--listen", layout.BridgeSocket, "--connect", layout.SerialSocket],
            cancellationToken);
        step("bridge-start");

        await WaitForAgentAsync(layout, qemuPid, cancellationToken);
        step("agent-ready");
    }

    private static void OwnBy(string path, uint uid, UnixFileMode mode)
    {
        File.SetUnixFileMode(path, mode);
        var errno = Airlock.Native.HostMountCalls.ChangeOwner(path, uid, uid);
        if (errno != 0) throw new HostCommandException($"chown {path} failed: {Airlock.Native.Errno.Message(errno)}");
    }

    /// <summary>The bridge needs QEMU's chardev socket to exist before it connects; QEMU creates it during startup.</summary>
    private async Task WaitForFileAsync(string path, int qemuPid, MicroVmLayout layout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (!File.Exists(path))
        {
            if (!IsAlive(qemuPid, layout)) throw new InvalidOperationException($"sandbox {layout.Id}: QEMU exited at startup: {JailedProcess.Tail(layout.QemuLog)}");
            if (_time.GetElapsedTime(started) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"sandbox {layout.Id}: QEMU did not create {path}");
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    /// <summary>QMP query-chardev: <c>frontend-open</c> turns true when the guest opens the virtio-serial port.</summary>
    private async Task WaitForGuestPortAsync(MicroVmLayout layout, int qemuPid, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                if (await GuestPortOpenAsync(layout, cancellationToken)) return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                // QMP not listening yet.
            }

            if (!IsAlive(qemuPid, layout)) throw new InvalidOperationException($"sandbox {layout.Id}: QEMU exited during boot: {JailedProcess.Tail(layout.QemuLog)}");
            if (await QueryStatusAsync(layout, cancellationToken) is { } status && status != "running")
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: the guest stopped during boot ({status}). console: {await ConsoleTailAsync(layout)}");
            }

            if (_time.GetElapsedTime(started) > _options.AgentReadyTimeout)
            {
                throw new TimeoutException($"sandbox {layout.Id}: the guest agent did not open its port within {_options.AgentReadyTimeout.TotalSeconds:0}s. console: {await ConsoleTailAsync(layout)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Ready means the agent answered a ping end to end (bridge -> serial port -> guest agent), not merely that a socket exists.</summary>
    private async Task WaitForAgentAsync(MicroVmLayout layout, int qemuPid, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var client = new GuestClient(ct => ConnectAgentAsync(layout.Id, ct));
        var lastCheck = TimeSpan.Zero;
        string lastError = "no answer yet";
        while (true)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.PingAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastError = e.Message;
            }

            var elapsed = _time.GetElapsedTime(started);
            if (!IsAlive(qemuPid, layout))
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: QEMU exited during boot: {JailedProcess.Tail(layout.QemuLog)}");
            }

            if (!BridgeAlive(layout))
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: the bridge exited: {JailedProcess.Tail(layout.BridgeLog)}");
            }

            if (elapsed - lastCheck > TimeSpan.FromMilliseconds(500))
            {
                lastCheck = elapsed;
                if (await QueryStatusAsync(layout, cancellationToken) is { } status && status != "running")
                {
                    throw new InvalidOperationException($"sandbox {layout.Id}: the guest stopped during boot ({status}). console: {await ConsoleTailAsync(layout)}");
                }
            }

            if (elapsed > _options.AgentReadyTimeout)
            {
                throw new TimeoutException($"sandbox {layout.Id}: the guest agent did not answer within {_options.AgentReadyTimeout.TotalSeconds:0}s ({lastError}). console: {await ConsoleTailAsync(layout)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>The end of the guest's console (a 64 KiB ring inside QEMU), for error messages.</summary>
    internal static async Task<string> ConsoleTailAsync(MicroVmLayout layout)
    {
        try
        {
            var data = await QmpClient.ExecuteAsync(layout.QmpSocket, "ringbuf-read", new() { ["device"] = "console", ["size"] = 65536, ["format"] = "utf8" });
            var text = data?.GetValue<string>().Trim() ?? "";
            // After a panic (e.g. the agent, pid 1, died) the register dump is noise: keep what led to it.
            var panic = text.IndexOf("Kernel panic", StringComparison.Ordinal);
            if (panic >= 0)
            {
                var end = text.IndexOf('\n', panic);
                text = text[..(end < 0 ? text.Length : end)];
            }

            return text.Length > 1500 ? text[^1500..] : text;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException)
        {
            return $"(unavailable: {e.Message})";
        }
    }
}
