using Airlock.Oci.Spec;

namespace Airlock.Oci;

/// <summary>
/// The starting point of every Airlock spec: stricter than Docker's default. Everything a sandbox may
/// use is listed here; options only narrow it or fill in per-sandbox values. The user namespace is
/// on but has no mapping until <see cref="SpecOptions.WithUserNamespace"/> adds one, so a spec that
/// forgot it fails to start instead of running as host root.
/// </summary>
public static class HardenedDefaults
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Capabilities root inside keeps: enough for package managers and chown/setuid of its own files, nothing that reaches the kernel or other namespaces.</summary>
    public static readonly IReadOnlyList<string> Capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Exactly runc's default (<c>runc spec</c>): kernel information leaks and knobs hidden or frozen.</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static readonly IReadOnlyList<string> Namespaces =
        ["pid", "ipc", "uts", "mount", "user", "cgroup", "network"];

    /// <summary>The only device nodes a sandbox sees (runc bind-mounts them from the host inside a user namespace).</summary>
    public static readonly IReadOnlyList<DeviceSpec> Devices =
    [
        new("/dev/null", "c", 1, 3, 0x1B6, 0, 0),
        new("/dev/zero", "c", 1, 5, 0x1B6, 0, 0),
        new("/dev/full", "c", 1, 7, 0x1B6, 0, 0),
        new("/dev/random", "c", 1, 8, 0x1B6, 0, 0),
        new("/dev/urandom", "c", 1, 9, 0x1B6, 0, 0),
        new("/dev/tty", "c", 5, 0, 0x1B6, 0, 0),
    ];

    /// <summary>Device cgroup: deny everything, then allow the nodes above plus the sandbox's own PTYs (ptmx 5:2, pts 136:*).</summary>
    public static readonly IReadOnlyList<DeviceRuleSpec> DeviceRules =
    [
        new(false, "rwm"),
        .. Devices.Select(d => new DeviceRuleSpec(true, "rwm", d.Type, d.Major, d.Minor)),
        new(true, "rwm", "c", 5, 2),
        new(true, "rwm", "c", 136, null),
    ];

    public static RuntimeSpec Create() => new()
    {
        Process = new ProcessSpec
        {
            Args = [],
            Env = [DefaultPath],
            Cwd = "/",
            Terminal = false,
            User = new UserSpec(0, 0),
            NoNewPrivileges = true,
            Capabilities = new CapabilitiesSpec { Bounding = Capabilities, Effective = Capabilities, Permitted = Capabilities },
            Rlimits = [new("RLIMIT_NOFILE", 65536, 65536), new("RLIMIT_CORE", 0, 0)],
        },
        Root = new RootSpec("rootfs"),
        Mounts = StandardMounts(devPtsGid: 5),
        Linux = new LinuxSpec
        {
            Namespaces = [.. Namespaces.Select(n => new NamespaceSpec(n))],
            Devices = Devices,
            Resources = new ResourcesSpec { Devices = DeviceRules },
            MaskedPaths = MaskedPaths,
            ReadonlyPaths = ReadonlyPaths,
            Seccomp = SeccompProfile.Create(),
        },
    };

    /// <summary>The kernel filesystems every sandbox gets; no host path appears here.</summary>
    public static IReadOnlyList<MountSpec> StandardMounts(uint? devPtsGid)
    {
        List<string> ptsOptions = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"];
        if (devPtsGid is { } gid)
        {
            ptsOptions.Add($"gid={gid}");
        }

        return
        [
            new("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
            new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            new("/dev/pts", "devpts", "devpts", ptsOptions),
            new("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            new("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
            new("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
            new("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ];
    }
}
