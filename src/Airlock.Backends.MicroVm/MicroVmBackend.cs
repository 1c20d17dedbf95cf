using System.Globalization;
using System.Net.Sockets;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Core.Doctor;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// The microVM tier: each sandbox is a QEMU <c>microvm</c> guest running Debian's cloud kernel, its root an
/// overlay of the image's read-only base disk and a blank disk of exactly the quota, its agent reached
/// over one virtio-serial port that <c>airlock-agent bridge</c> multiplexes into one unix-socket connection
/// per operation. QEMU is jailed (own cgroup, unprivileged uid, -sandbox on, only its own disks and sockets).
/// Holds no state in memory beyond probe caches: every host name derives from the id (<see cref="MicroVmLayout"/>).
/// </summary>
public sealed partial class MicroVmBackend : ISandboxBackend
{
    private readonly AirlockPaths _paths;
    private readonly MicroVmBackendOptions _options;
    private readonly TimeProvider _time;
    private readonly BlankDiskPool _diskPool;
    private KvmProbe.Result? _kvm;
    private ((string Path, DateTime Written) Config, bool IsModule)? _blockDriverIsModule;

    public MicroVmBackend(AirlockPaths paths)
        : this(paths, new MicroVmBackendOptions())
    {
    }

    public MicroVmBackend(AirlockPaths paths, MicroVmBackendOptions options, TimeProvider? timeProvider = null)
    {
        _paths = paths;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _diskPool = new BlankDiskPool(paths);
    }

    public string Tier => "microvm";

    public TierProbe Probe()
    {
        var qemuFound = FindProgram(_options.QemuPath) is not null;
        var qemu = new DoctorCheck
        {
            Name = "qemu",
            Ok = qemuFound,
            Detail = qemuFound ? $"{_options.QemuPath} (microvm machine)" : $"{_options.QemuPath} not found (the microvm tier's VMM)",
            Fix = qemuFound ? null : "apt-get install qemu-system-x86",
            Package = qemuFound ? null : "qemu-system-x86",
            Informational = true,
        };
        var kernel = GuestKernel.Find(_options.KernelDirectory);
        var kernelCheck = new DoctorCheck
        {
            Name = "guest-kernel",
            Ok = kernel is not null,
            Detail = kernel is not null ? $"{kernel.Release} in {_options.KernelDirectory}" : $"no guest kernel in {_options.KernelDirectory}",
            Fix = kernel is not null ? null : GuestKernel.Fix,
            Informational = true,
        };
        if (!qemuFound) return new TierProbe(Tier, false, qemu.Detail, qemu.Fix, HostChecks: [qemu, kernelCheck]);
        if (kernel is null) return new TierProbe(Tier, false, kernelCheck.Detail, GuestKernel.Fix, HostChecks: [qemu, kernelCheck]);
        if (Environment.UserName != "root")
        {
            return new TierProbe(Tier, false, "the microvm tier needs root (cgroups, dropping QEMU to its own uid)", "run the daemon as root", HostChecks: [qemu, kernelCheck]);
        }

        // One verdict per host boot for every data directory: the probe can take its whole timeout.
        _kvm ??= KvmProbe.Run(_options.QemuPath, kernel, "/run/airlock/kvm-probe.json", _options.KvmProbeTimeout);
        var kvm = new DoctorCheck
        {
            Name = "kvm",
            Ok = _kvm.Usable,
            // The probe's reason says how it judged: no device at all, or how a probe guest's boot went.
            Detail = _kvm.Reason,
            Fix = _kvm.Usable ? null : "a host with hardware virtualisation (VT-x/AMD-V; on a cloud VM, nested virtualisation with the CPU features KVM needs)",
            Informational = true,
        };
        IReadOnlyList<DoctorCheck> checks = [qemu, kernelCheck, kvm];
        if (_kvm.Usable)
        {
            return new TierProbe(Tier, true, $"QEMU microvm with KVM; guest kernel {kernel.Release}", HostChecks: checks);
        }

        if (!_options.AllowTcg)
        {
            return new TierProbe(Tier, false, $"{_kvm.Reason}; TCG emulation is turned off (AIRLOCK_MICROVM_TCG=never)", kvm.Fix, HostChecks: checks);
        }

        checks = [.. checks, SnapshotCheck()];
        // Still a VM boundary, but 10-50x slower to boot: auto takes it only when configuration says so.
        return new TierProbe(
            Tier,
            true,
            $"QEMU microvm under TCG emulation (no usable KVM); guest kernel {kernel.Release}",
            "a host with usable /dev/kvm boots microVMs 10-50x faster",
            NotForAuto: _options.TcgForAuto ? null : "no usable /dev/kvm (see doctor's kvm check), and TCG emulation is used only when asked for (--isolation microvm, or AIRLOCK_MICROVM_TCG=auto)",
            HostChecks: checks);
    }

    /// <summary>Whether guests come from template snapshots here, and what the cache holds (see <see cref="GuestTemplate"/>).</summary>
    private DoctorCheck SnapshotCheck()
    {
        var (count, bytes) = GuestTemplate.Measure(_options.TemplateDirectory);
        return new DoctorCheck
        {
            Name = "microvm-snapshots",
            Ok = true,
            Detail = _options.Snapshots
                ? $"on: a sandbox without a network restores its kind's template snapshot instead of booting; {count} kept in {_options.TemplateDirectory} ({bytes >> 20} MiB of memory)"
                : "off (AIRLOCK_MICROVM_SNAPSHOTS=off): every guest boots its kernel",
            Informational = true,
        };
    }

    public async Task<Stream> ConnectAgentAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = MicroVmLayout.For(_paths, sandboxId);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(layout.BridgeSocket), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>From QEMU's own account (QMP query-status): a powered-off or panicked guest is Stopped though QEMU lives on (-no-shutdown).</summary>
    public async Task<BackendState> GetStateAsync(string sandboxId, CancellationToken cancellationToken = default)
    {
        var layout = MicroVmLayout.For(_paths, sandboxId);
        if (ReadPid(layout.QemuPidFile) is not { } pid || !IsAlive(pid, layout))
        {
            return Directory.Exists(layout.Directory) ? BackendState.Stopped : BackendState.Missing;
        }

        return await QueryStatusAsync(layout, cancellationToken) switch
        {
            "running" => BridgeAlive(layout) ? BackendState.Running : BackendState.Stopped,
            "paused" => BackendState.Paused,
            "prelaunch" or "inmigrate" => BackendState.Creating,
            _ => BackendState.Stopped,
        };
    }

    /// <summary>QEMU's run state (running, paused, shutdown, guest-panicked, ...), or null when QMP does not answer.</summary>
    internal static async Task<string?> QueryStatusAsync(MicroVmLayout layout, CancellationToken cancellationToken)
    {
        try
        {
            return (await QmpClient.ExecuteAsync(layout.QmpSocket, "query-status", cancellationToken: cancellationToken))?["status"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>QMP <c>stop</c>: every vCPU halts; the guest's clock does not advance, nothing inside runs.</summary>
    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        QmpClient.ExecuteAsync(MicroVmLayout.For(_paths, sandboxId).QmpSocket, "stop", cancellationToken: cancellationToken);

    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        QmpClient.ExecuteAsync(MicroVmLayout.For(_paths, sandboxId).QmpSocket, "cont", cancellationToken: cancellationToken);

    /// <summary>
    /// QEMU itself exceeding guest memory + overhead (the VMM cgroup's count). OOM inside the guest is the guest kernel's
    /// business, and the agent names those kills itself (it compares the guest's <c>/proc/vmstat oom_kill</c> around each
    /// command, see GuestCgroups.OomKills): reading that counter from here cost every exec a second connection to the agent,
    /// ~6 ms of a ~48 ms round trip under TCG.
    /// </summary>
    public Task<LimitCounters> ReadLimitCountersAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Task.FromResult(VmmCgroup.ReadCounters(MicroVmLayout.For(_paths, sandboxId)));

    /// <summary>
    /// The VMM's cgroup: QEMU's CPU time is the guest's (plus emulation, under TCG) and its memory is the guest's RAM as
    /// the host pays for it — the host's view, which is what a resource rule protects.
    /// </summary>
    public Task<ResourceUsage?> ReadUsageAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Task.FromResult(CgroupUsage.Read(VmmCgroup.Directories(MicroVmLayout.For(_paths, sandboxId))));

    public Task<IReadOnlyList<string>> ListHostSandboxesAsync(CancellationToken cancellationToken = default)
    {
        var root = MicroVmLayout.Root(_paths);
        IReadOnlyList<string> ids = Directory.Exists(root)
            ? [.. Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];
        return Task.FromResult(ids);
    }

    internal static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The pid is ours only while it is still a member of the sandbox's cgroup: a recycled pid is not.</summary>
    internal static bool IsAlive(int pid, MicroVmLayout layout) => VmmCgroup.Members(layout).Contains(pid);

    private static bool BridgeAlive(MicroVmLayout layout) => ReadPid(layout.BridgePidFile) is { } pid && IsAlive(pid, layout);

    /// <summary>The program's path: itself when it names a path, else its first match on PATH; null when there is none.</summary>
    private static string? FindProgram(string program) =>
        program.Contains('/', StringComparison.Ordinal)
            ? File.Exists(program) ? program : null
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(dir => dir.Length > 0).Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
