using System.Text.Json;
using Airlock.Backends.Runc;
using Airlock.Core;
using Airlock.Core.Backends;
using Airlock.Oci;
using Airlock.Oci.Spec;

namespace Airlock.Backends.Runc.Tests;

public sealed class SpecBuilderTests
{
    private static readonly string[] ForbiddenCaps =
    [
        "CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_DAC_READ_SEARCH", "CAP_SYSLOG", "CAP_BPF", "CAP_PERFMON", "CAP_MKNOD", "CAP_SYS_BOOT", "CAP_SYS_TIME",
    ];

    private static RuntimeSpec SandboxSpec(TimeSpan? ttl = null)
    {
        var paths = new AirlockPaths("/var/lib/airlock");
        var backend = new RuncBackend(paths);
        var request = new BackendCreateRequest
        {
            Id = "abc123",
            ImageRootfs = "/var/lib/airlock/images/python/rootfs",
            AgentPath = "/usr/lib/airlock/agent",
            Cpus = 1.5,
            MemoryBytes = 512L << 20,
            Pids = 128,
            DiskBytes = 1L << 30,
            Ttl = ttl,
            Hostname = "sbx-abc123",
            Env = new Dictionary<string, string> { ["FOO"] = "bar" },
        };
        return backend.BuildSpec(request, SandboxLayout.For(paths, request.Id));
    }

    [Fact]
    public void Capabilities_AreExactlyTheAllowedList_InBoundingEffectivePermitted_AndNoneAmbientOrInheritable()
    {
        var caps = SandboxSpec().Process.Capabilities!;
        string[] expected =
        [
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
            "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
        ];
        Assert.Equal(expected.Order(), caps.Bounding.Order());
        Assert.Equal(expected.Order(), caps.Effective.Order());
        Assert.Equal(expected.Order(), caps.Permitted.Order());
        Assert.Empty(caps.Ambient);
        Assert.Empty(caps.Inheritable);
        Assert.Empty(ForbiddenCaps.Intersect(caps.Bounding));
    }

    [Fact]
    public void Seccomp_DeniesByDefaultWithEperm_ForAllX86Architectures()
    {
        var seccomp = SandboxSpec().Linux.Seccomp!;
        Assert.Equal("SCMP_ACT_ERRNO", seccomp.DefaultAction);
        Assert.Equal(1u, seccomp.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], seccomp.Architectures);
    }

    [Fact]
    public void Seccomp_NeverAllowsTheDeniedSyscalls()
    {
        var allowed = SandboxSpec().Linux.Seccomp!.Syscalls.Where(s => s.Action == "SCMP_ACT_ALLOW").SelectMany(s => s.Names).ToHashSet();
        string[] mustBeDenied =
        [
            "unshare", "setns", "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "fsconfig", "fspick",
            "mount_setattr", "pivot_root", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
            "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load", "init_module",
            "finit_module", "delete_module", "ptrace", "process_vm_readv", "process_vm_writev", "open_by_handle_at",
            "name_to_handle_at", "reboot", "swapon", "swapoff", "syslog", "acct", "clock_settime", "settimeofday",
            "adjtimex", "lookup_dcookie", "vm86", "iopl", "ioperm", "quotactl", "nfsservctl", "umount", "clone3",
            "fanotify_init", "fanotify_mark",
        ];
        Assert.Empty(mustBeDenied.Intersect(allowed));
        Assert.Empty(SeccompProfile.DeniedSyscalls.Intersect(allowed));
    }

    [Fact]
    public void Seccomp_AllowsWhatRealWorkloadsNeed()
    {
        var allowed = SandboxSpec().Linux.Seccomp!.Syscalls.Where(s => s.Action == "SCMP_ACT_ALLOW").SelectMany(s => s.Names).ToHashSet();
        string[] needed =
        [
            "execve", "execveat", "futex", "rseq", "clone", "epoll_wait", "epoll_pwait", "eventfd2", "timerfd_create",
            "signalfd4", "prlimit64", "getrandom", "memfd_create", "statx", "close_range", "faccessat2", "openat2",
            "pidfd_open", "pidfd_send_signal", "copy_file_range", "sendfile", "splice", "inotify_init1", "wait4",
            "socket", "connect", "mmap", "mprotect", "set_robust_list", "sched_getaffinity",
        ];
        Assert.Empty(needed.Except(allowed));
    }

    [Fact]
    public void Seccomp_AllowsCloneOnlyWithoutNamespaceFlags_AndClone3ReturnsEnosys()
    {
        var rules = SandboxSpec().Linux.Seccomp!.Syscalls;
        var clone = Assert.Single(rules, r => r.Names.Contains("clone"));
        Assert.Equal("SCMP_ACT_ALLOW", clone.Action);
        var arg = Assert.Single(clone.Args!);
        Assert.Equal((0u, 0x7E020000UL, "SCMP_CMP_MASKED_EQ", 0UL), (arg.Index, arg.Value, arg.Op, arg.ValueTwo));

        var clone3 = Assert.Single(rules, r => r.Names.Contains("clone3"));
        Assert.Equal(("SCMP_ACT_ERRNO", 38u), (clone3.Action, clone3.ErrnoRet));
    }

    [Fact]
    public void Seccomp_RefusesAlgAndVsockSockets_WithASingleComparisonPerRule()
    {
        var socket = Assert.Single(SandboxSpec().Linux.Seccomp!.Syscalls, r => r.Names.Contains("socket"));
        var arg = Assert.Single(socket.Args!);
        Assert.Equal((0u, 38UL, "SCMP_CMP_LT"), (arg.Index, arg.Value, arg.Op));

        // runc OR-s comparisons on the same argument index; every rule must stay a single comparison per index.
        foreach (var rule in SandboxSpec().Linux.Seccomp!.Syscalls.Where(r => r.Args is not null))
        {
            Assert.Equal(rule.Args!.Count, rule.Args.Select(a => a.Index).Distinct().Count());
        }
    }

    [Fact]
    public void UserNamespace_MapsRootToTheHostIdRange_NeverToHostRoot()
    {
        var linux = SandboxSpec().Linux;
        Assert.Contains(linux.Namespaces, n => n.Type == "user");
        foreach (var mapping in linux.UidMappings.Concat(linux.GidMappings))
        {
            Assert.Equal((0u, HostIdRange.Base, HostIdRange.Size), (mapping.ContainerID, mapping.HostID, mapping.Size));
            Assert.NotEqual(0u, mapping.HostID);
        }

        Assert.Single(linux.UidMappings);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecBuilder.Build(SpecOptions.WithUserNamespace(0, 65536)));
    }

    [Fact]
    public void Defaults_WithoutAMapping_HaveAUserNamespaceButNoMapping_SoRuncRefusesToStart()
    {
        var spec = SpecBuilder.Build();
        Assert.Contains(spec.Linux.Namespaces, n => n.Type == "user");
        Assert.Empty(spec.Linux.UidMappings);
    }

    [Fact]
    public void Namespaces_AreAllSevenAndNew()
    {
        var namespaces = SandboxSpec().Linux.Namespaces;
        Assert.Equal(["cgroup", "ipc", "mount", "network", "pid", "user", "uts"], namespaces.Select(n => n.Type).Order());
        Assert.All(namespaces, n => Assert.Null(n.Path));
    }

    [Fact]
    public void MaskedAndReadonlyPaths_MatchRuncDefaults()
    {
        var linux = SandboxSpec().Linux;
        Assert.Equal(
            ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            linux.MaskedPaths);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], linux.ReadonlyPaths);
    }

    [Fact]
    public void Mounts_HaveNoHostPathButTheAgentBinaryReadOnlyAndItsSocketDirectory()
    {
        var mounts = SandboxSpec().Mounts;
        var binds = mounts.Where(m => m.Type == "bind" || m.Options.Contains("bind") || m.Options.Contains("rbind")).ToList();
        Assert.Equal(2, binds.Count);
        var agent = Assert.Single(binds, m => m.Destination == "/.airlock/agent");
        Assert.Equal("/usr/lib/airlock/agent", agent.Source);
        Assert.Contains("ro", agent.Options);
        var socketDir = Assert.Single(binds, m => m.Destination == "/run/airlock");
        Assert.Equal("/var/lib/airlock/sandboxes/abc123/disk/run", socketDir.Source);
        Assert.Contains("noexec", socketDir.Options);

        Assert.All(mounts.Except(binds), m => Assert.False(Path.IsPathRooted(m.Source), $"{m.Destination} mounts host path {m.Source}"));
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"], mounts.Except(binds).Select(m => m.Destination));
        Assert.Contains("ro", mounts.Single(m => m.Destination == "/sys").Options);
        Assert.Contains("ro", mounts.Single(m => m.Destination == "/sys/fs/cgroup").Options);
        Assert.Contains("size=65536k", mounts.Single(m => m.Destination == "/dev/shm").Options);
    }

    [Fact]
    public void Devices_AreOnlyTheSafeSix_AndTheDeviceCgroupDeniesEverythingElse()
    {
        var linux = SandboxSpec().Linux;
        Assert.Equal(["/dev/full", "/dev/null", "/dev/random", "/dev/tty", "/dev/urandom", "/dev/zero"], linux.Devices.Select(d => d.Path).Order());
        var rules = linux.Resources!.Devices;
        Assert.Equal(new DeviceRuleSpec(false, "rwm"), rules[0]);
        Assert.All(rules.Skip(1), r => Assert.True(r.Allow && r.Type == "c"));
    }

    [Fact]
    public void Process_IsTheAgent_AsRoot_WithNoNewPrivileges_AndLimits()
    {
        var process = SandboxSpec(TimeSpan.FromMinutes(5)).Process;
        Assert.Equal(["/.airlock/agent", "serve", "--socket", "/run/airlock/agent.sock", "--ttl-seconds", "300", "--child-tasks", "128"], process.Args);
        Assert.Equal(["/.airlock/agent", "serve", "--socket", "/run/airlock/agent.sock", "--child-tasks", "128"], SandboxSpec().Process.Args);
        Assert.True(process.NoNewPrivileges);
        Assert.False(process.Terminal);
        Assert.Equal("/", process.Cwd);
        Assert.Equal(new UserSpec(0, 0), process.User);
        Assert.Null(process.OomScoreAdj);
        Assert.Equal(HardenedDefaults.DefaultPath, process.Env[0]);
        Assert.Contains("FOO=bar", process.Env);
        Assert.Contains(process.Rlimits, r => r is { Type: "RLIMIT_CORE", Hard: 0, Soft: 0 });
        Assert.Contains(process.Rlimits, r => r.Type == "RLIMIT_NOFILE" && r.Hard > 1024);
    }

    [Fact]
    public void Resources_CarryCpuMemoryPidsAndTheCgroupPath()
    {
        var spec = SandboxSpec();
        var resources = spec.Linux.Resources!;
        Assert.Equal(new CpuSpec(150_000, 100_000), resources.Cpu);
        Assert.Equal(512L << 20, resources.Memory!.Limit);
        Assert.True(resources.Memory.Swap is null or (512L << 20));
        // The user's 128 is enforced on commands by the agent; the cgroup adds the agent's own reserve.
        Assert.Equal(128 + Airlock.Oci.AgentContract.AgentTaskReserve, resources.Pids!.Limit);
        Assert.Equal("/airlock/abc123", spec.Linux.CgroupsPath);
        Assert.Equal("sbx-abc123", spec.Hostname);
        Assert.Equal("/var/lib/airlock/sandboxes/abc123/rootfs", spec.Root.Path);
    }

    [Fact]
    public void Json_UsesOciFieldNames_AndOmitsNulls()
    {
        using var doc = JsonDocument.Parse(OciJson.Serialize(SandboxSpec()));
        var root = doc.RootElement;
        Assert.Equal("1.0.2", root.GetProperty("ociVersion").GetString());
        Assert.Equal(HostIdRange.Base, root.GetProperty("linux").GetProperty("uidMappings")[0].GetProperty("hostID").GetUInt32());
        Assert.True(root.GetProperty("process").GetProperty("noNewPrivileges").GetBoolean());
        Assert.False(root.GetProperty("process").TryGetProperty("oomScoreAdj", out _));
        Assert.Equal("/airlock/abc123", root.GetProperty("linux").GetProperty("cgroupsPath").GetString());
        var denyAll = root.GetProperty("linux").GetProperty("resources").GetProperty("devices")[0];
        Assert.False(denyAll.TryGetProperty("major", out _));
        Assert.Equal(SandboxSpec(), OciJson.Deserialize(OciJson.Serialize(SandboxSpec())) with { }, new SpecJsonComparer());
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    public void SandboxLayout_RejectsIdsThatCouldEscapeTheDataDirectory(string id) =>
        Assert.Throws<ArgumentException>(() => SandboxLayout.For(new AirlockPaths("/var/lib/airlock"), id));

    private sealed class SpecJsonComparer : IEqualityComparer<RuntimeSpec>
    {
        public bool Equals(RuntimeSpec? x, RuntimeSpec? y) => OciJson.Serialize(x!) == OciJson.Serialize(y!);

        public int GetHashCode(RuntimeSpec obj) => 0;
    }
}
