using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Airlock.Core.Backends;

namespace Airlock.Backends.MicroVm;

/// <summary>Saving, restoring and handing settings to a guest that uses a <see cref="GuestTemplate"/>.</summary>
public sealed partial class MicroVmBackend
{
    /// <summary>A template's restore or its guest's first steps failed: the template is suspect, the create may retry by booting.</summary>
    private sealed class TemplateRestoreException(string message, Exception inner) : Exception(message, inner);

    /// <summary>
    /// The template this sandbox's guest can come from, or null when it boots with its settings in its initrd: snapshots
    /// are off, KVM is in use (restores under KVM are untested: no machine of this project has a usable /dev/kvm), the
    /// sandbox has a network (its NIC is set up at boot from settings a template does not hold), the guest kernel has
    /// virtio-blk built in (its disks would be probed before the snapshot, as the template's), or the template directory
    /// is not root's alone.
    /// </summary>
    private GuestTemplate? TemplateFor(BackendCreateRequest request, GuestKernel kernel, string baseDisk, long guestRam, bool kvm)
    {
        if (!_options.Snapshots || kvm || request.Network is not null) return null;
        if (!BlockDriverIsModule(kernel)) return null;
        if (!GuestTemplate.TryPrepareRoot(_options.TemplateDirectory)) return null;
        GuestTemplate.Prune(_options.TemplateDirectory);
        return GuestTemplate.For(
            _options.TemplateDirectory,
            [kernel.Vmlinuz, kernel.Initramfs, request.AgentPath, baseDisk, FindProgram(_options.QemuPath) ?? _options.QemuPath],
            [$"ram={guestRam}", $"vcpus={Math.Max(1, (int)Math.Ceiling(request.Cpus))}", $"tsc={HostTsc.Khz}", $"verbose={_options.VerboseConsole}"]);
    }

    /// <summary>
    /// Whether the guest kernel builds virtio-blk as a module (its <c>config</c>), which a template boot defers. Read once
    /// per kernel build, not per create: a kernel's config is ~7,000 lines.
    /// </summary>
    private bool BlockDriverIsModule(GuestKernel kernel)
    {
        var config = new FileInfo(Path.Combine(Path.GetDirectoryName(kernel.Vmlinuz)!, "config"));
        if (!config.Exists) return false;
        var version = (config.FullName, config.LastWriteTimeUtc);
        if (_blockDriverIsModule is { } known && known.Config == version) return known.IsModule;
        var isModule = File.ReadLines(config.FullName).Contains("CONFIG_VIRTIO_BLK=m", StringComparer.Ordinal);
        _blockDriverIsModule = (version, isModule);
        return isModule;
    }

    /// <summary>
    /// <see cref="SaveTemplateAsync"/>, where a failure to write the template (its tmpfs full, say) costs only the
    /// template: the guest goes on as a booted one.
    /// </summary>
    private async Task<bool> TrySaveTemplateAsync(MicroVmLayout layout, string statePath, uint uid, CancellationToken cancellationToken)
    {
        try
        {
            await SaveTemplateAsync(layout, statePath, uid, cancellationToken);
            return true;
        }
        catch (IOException)
        {
            File.Delete(statePath);
            var started = _time.GetTimestamp();
            while ((await QmpClient.ExecuteAsync(layout.QmpSocket, "query-migrate", cancellationToken: cancellationToken))?["status"]?.GetValue<string>() is "setup" or "active" or "device"
                   && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }

            if (await QueryStatusAsync(layout, cancellationToken) != "running") await QmpClient.ExecuteAsync(layout.QmpSocket, "cont", cancellationToken: cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// Stops the guest (its /init waits for settings), has QEMU migrate it into a socket the host listens on, writes the
    /// stream to <paramref name="statePath"/>, and lets the guest go on. QEMU's default migration bandwidth (32 MiB/s)
    /// would make this take seconds; it is lifted first.
    /// </summary>
    private async Task SaveTemplateAsync(MicroVmLayout layout, string statePath, uint uid, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(layout.OutgoingSocket));
        listener.Listen(1);
        OwnBy(layout.OutgoingSocket, uid, Mode0600); // connecting needs write permission on the socket
        await QmpClient.ExecuteAsync(layout.QmpSocket, "stop", cancellationToken: cancellationToken);
        await QmpClient.ExecuteAsync(layout.QmpSocket, "migrate-set-parameters", new JsonObject { ["max-bandwidth"] = 1L << 40 }, cancellationToken);
        await QmpClient.ExecuteAsync(layout.QmpSocket, "migrate", new JsonObject { ["uri"] = "unix:" + layout.OutgoingSocket }, cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.AgentReadyTimeout);
            using var connection = await listener.AcceptAsync(timeout.Token);
            await using var stream = new NetworkStream(connection, ownsSocket: false);
            await using var raw = new FileStream(statePath + ".raw", FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            await stream.CopyToAsync(raw, 1 << 20, timeout.Token);
        }

        // Kept without its zero pages (see MigrationStream), or as QEMU wrote it when that cannot be read.
        var whole = await File.ReadAllBytesAsync(statePath + ".raw", cancellationToken);
        await using (var file = new FileStream(statePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            if (MigrationStream.CopyWithoutZeroPages(whole, file) is null)
            {
                file.SetLength(0);
                await file.WriteAsync(whole, cancellationToken);
            }
        }

        File.Delete(statePath + ".raw");

        File.SetUnixFileMode(statePath, Mode0600);
        File.Delete(layout.OutgoingSocket);
        var started = _time.GetTimestamp();
        while (true)
        {
            var status = (await QmpClient.ExecuteAsync(layout.QmpSocket, "query-migrate", cancellationToken: cancellationToken))?["status"]?.GetValue<string>();
            if (status == "completed") break;
            if (status is "failed" or "cancelled" || _time.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: saving the template failed (migration {status ?? "status unknown"}): {JailedProcess.Tail(layout.QemuLog)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        await QmpClient.ExecuteAsync(layout.QmpSocket, "cont", cancellationToken: cancellationToken);
    }

    /// <summary>Streams the template's state into QEMU's incoming socket and waits for the guest to run.</summary>
    private async Task RestoreTemplateAsync(MicroVmLayout layout, GuestTemplate template, int qemuPid, CancellationToken cancellationToken)
    {
        await WaitForFileAsync(layout.IncomingSocket, qemuPid, layout, cancellationToken);
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.IncomingSocket), cancellationToken);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await using var state = new FileStream(template.State, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            await state.CopyToAsync(stream, 1 << 20, cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
        }

        // The template was saved stopped, so the restored guest stays paused until told to go on.
        var started = _time.GetTimestamp();
        while (await QueryStatusAsync(layout, cancellationToken) is var status && status != "running")
        {
            if (!IsAlive(qemuPid, layout)) throw new InvalidOperationException($"QEMU exited while restoring: {JailedProcess.Tail(layout.QemuLog)}");
            if (status == "paused") await QmpClient.ExecuteAsync(layout.QmpSocket, "cont", cancellationToken: cancellationToken);
            else if (status is not (null or "inmigrate" or "prelaunch")) throw new InvalidOperationException($"the restored guest is {status}: {JailedProcess.Tail(layout.QemuLog)}");
            if (_time.GetElapsedTime(started) > _options.AgentReadyTimeout) throw new TimeoutException($"the restore did not finish within {_options.AgentReadyTimeout.TotalSeconds:0}s");
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    /// <summary>
    /// Hands /init its boot.env and env through the agent's port (the protocol is read_settings in Guest/init.sh), with
    /// the host's clock and a fresh random seed (the guest continues from a snapshot), waits for its "ok", then for it
    /// to close the port, so the bridge only ever meets the agent's open of it.
    /// </summary>
    private async Task SendSettingsAsync(MicroVmLayout layout, BootSettings settings, int qemuPid, CancellationToken cancellationToken)
    {
        settings = settings with { Restore = (_time.GetUtcNow().ToUnixTimeSeconds(), RandomNumberGenerator.GetBytes(32)) };
        var bootEnv = settings.BootEnv();
        var env = settings.AgentEnv();
        string end;
        do
        {
            end = "#airlock-settings-end-" + RandomNumberGenerator.GetHexString(32, lowercase: true);
        }
        while (bootEnv.Contains(end, StringComparison.Ordinal) || env.Contains(end, StringComparison.Ordinal));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AgentReadyTimeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.SerialSocket), timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{end}\n{bootEnv}{end}\n{env}{end}\n"), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = reader.ReadLineAsync(timeout.Token).AsTask();
        while (!answer.IsCompleted)
        {
            await Task.WhenAny(answer, Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token));
            if (answer.IsCompleted) break;
            if (!IsAlive(qemuPid, layout)) throw new InvalidOperationException($"sandbox {layout.Id}: QEMU exited before the guest took its settings: {JailedProcess.Tail(layout.QemuLog)}");
            if (await QueryStatusAsync(layout, timeout.Token) is { } status && status != "running")
            {
                throw new InvalidOperationException($"sandbox {layout.Id}: the guest stopped before it took its settings ({status}). console: {await ConsoleTailAsync(layout)}");
            }
        }

        if (await answer != "ok") throw new InvalidOperationException($"sandbox {layout.Id}: the guest did not acknowledge its settings. console: {await ConsoleTailAsync(layout)}");
        while (await GuestPortOpenAsync(layout, timeout.Token))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), timeout.Token);
        }
    }

    /// <summary>QMP query-chardev: <c>frontend-open</c> is true while a guest program holds the agent's virtio-serial port open.</summary>
    private static async Task<bool> GuestPortOpenAsync(MicroVmLayout layout, CancellationToken cancellationToken)
    {
        var chardevs = await QmpClient.ExecuteAsync(layout.QmpSocket, "query-chardev", cancellationToken: cancellationToken);
        return chardevs is JsonArray list
               && list.Any(c => c?["label"]?.GetValue<string>() == "agent" && c?["frontend-open"]?.GetValue<bool>() == true);
    }
}
