using Airlock.Oci.Spec;

namespace Airlock.Oci;

/// <summary>
/// Airlock's seccomp allowlist: default EPERM, in the spirit of Docker's default profile but written
/// from scratch and narrower. Left out on purpose (so they fail with EPERM): namespace creation and
/// joining (unshare, setns, clone with CLONE_NEW*), every mount API, the kernel keyring, bpf,
/// perf_event_open, userfaultfd, io_uring, module and kexec loading, ptrace and cross-process memory
/// access, file handles, reboot/swap/syslog/acct/clock setting, obscure legacy calls (vm86, iopl,
/// quotactl, nfsservctl, uselib, modify_ldt, lookup_dcookie) and fanotify. Names unknown to an
/// architecture are ignored by runc, so 32-bit-only names can sit in the same list.
/// </summary>
public static class SeccompProfile
{
    public const int Eperm = 1;
    public const int Enosys = 38;

    /// <summary>CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP.</summary>
    public const ulong CloneNamespaceFlags = 0x00020000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x02000000;

    /// <summary>AF_ALG (38) is the first family refused: AF_ALG, AF_NFC (39), AF_VSOCK (40) and every newer one.</summary>
    public const ulong FirstDeniedAddressFamily = 38;

    public static readonly IReadOnlyList<string> Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];

    /// <summary>Allowed with no argument check.</summary>
    public static readonly IReadOnlyList<string> AllowedSyscalls =
    [
        // files and descriptors
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
        "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "_llseek", "dup", "dup2", "dup3",
        "fcntl", "fcntl64", "ioctl", "flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
        "truncate", "truncate64", "ftruncate", "ftruncate64", "fallocate", "fadvise64", "fadvise64_64", "readahead",
        "stat", "stat64", "fstat", "fstat64", "lstat", "lstat64", "newfstatat", "fstatat64", "statx",
        "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2",
        "readlink", "readlinkat", "getdents", "getdents64", "mkdir", "mkdirat", "rmdir",
        "rename", "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat",
        "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "chown32", "fchown", "fchown32", "lchown", "lchown32", "fchownat",
        "umask", "utime", "utimes", "utimensat", "utimensat_time64", "futimesat", "mknod", "mknodat",
        "chdir", "fchdir", "getcwd", "chroot",
        "copy_file_range", "sendfile", "sendfile64", "splice", "tee", "vmsplice",
        "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
        "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
        "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
        "pipe", "pipe2", "memfd_create",
        "io_setup", "io_destroy", "io_submit", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_cancel",
        // waiting and event descriptors
        "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64",
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
        "eventfd", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime", "timerfd_gettime64",
        "signalfd", "signalfd4",
        // memory
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "membarrier",
        "mlock", "mlock2", "munlock", "mlockall", "munlockall", "remap_file_pages",
        "get_mempolicy", "set_mempolicy", "mbind", "pkey_alloc", "pkey_free", "pkey_mprotect",
        "map_shadow_stack", "mseal",
        // processes, threads and signals (clone is filtered below)
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
        "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
        "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend",
        "sigaltstack", "sigreturn", "sigaction", "sigprocmask", "sigpending", "sigsuspend", "signal", "pause",
        "pidfd_open", "pidfd_send_signal",
        "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
        "getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid", "getegid32",
        "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32", "setregid", "setregid32",
        "setresuid", "setresuid32", "setresgid", "setresgid32", "getresuid", "getresuid32", "getresgid", "getresgid32",
        "setfsuid", "setfsuid32", "setfsgid", "setfsgid32", "getgroups", "getgroups32", "setgroups", "setgroups32",
        "capget", "capset", "prctl", "arch_prctl", "set_tid_address", "set_robust_list", "get_robust_list",
        "futex", "futex_time64", "futex_waitv", "rseq", "restart_syscall", "set_thread_area", "get_thread_area",
        "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
        "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_getattr", "sched_setattr",
        "getpriority", "setpriority", "ioprio_get", "ioprio_set",
        "getrlimit", "ugetrlimit", "setrlimit", "prlimit64", "getrusage", "times", "getcpu",
        // a process may only ever narrow itself further
        "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
        // time (reading and sleeping; setting the clock is refused)
        "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64", "clock_nanosleep", "clock_nanosleep_time64",
        "nanosleep", "gettimeofday", "time", "alarm", "getitimer", "setitimer",
        "timer_create", "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64", "timer_getoverrun", "timer_delete",
        // system information
        "uname", "olduname", "sysinfo", "getrandom",
        // sockets (socket itself is filtered below; the network namespace is empty anyway)
        "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
        "sendto", "send", "recvfrom", "recv", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64",
        "shutdown", "setsockopt", "getsockopt",
        // System V and POSIX IPC (private to the sandbox's IPC namespace)
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semctl", "semtimedop", "semtimedop_time64",
        "msgget", "msgsnd", "msgrcv", "msgctl", "ipc",
        "mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_notify", "mq_getsetattr",
    ];

    /// <summary>Never allowed, whatever the arguments (checked by tests against <see cref="AllowedSyscalls"/>).</summary>
    public static readonly IReadOnlyList<string> DeniedSyscalls =
    [
        "unshare", "setns", "mount", "umount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "fsconfig",
        "fspick", "mount_setattr", "pivot_root", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
        "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load",
        "init_module", "finit_module", "delete_module", "ptrace", "process_vm_readv", "process_vm_writev",
        "open_by_handle_at", "name_to_handle_at", "reboot", "swapon", "swapoff", "syslog", "acct",
        "clock_settime", "clock_settime64", "settimeofday", "stime", "adjtimex", "clock_adjtime", "clock_adjtime64",
        "lookup_dcookie", "vm86", "vm86old", "iopl", "ioperm", "quotactl", "quotactl_fd", "nfsservctl", "uselib",
        "modify_ldt", "fanotify_init", "fanotify_mark", "kcmp", "pidfd_getfd", "process_madvise", "memfd_secret",
        "sethostname", "setdomainname", "socketcall", "_sysctl", "sysfs", "ustat", "get_kernel_syms", "query_module",
        "create_module", "clone3",
    ];

    /// <summary>personality(2) values allowed: PER_LINUX, UNAME26 and the 0xffffffff query.</summary>
    public static readonly IReadOnlyList<ulong> AllowedPersonalities = [0x0, 0x8, 0xffffffff];

    public static SeccompSpec Create()
    {
        List<SeccompSyscallSpec> rules =
        [
            new() { Names = AllowedSyscalls, Action = "SCMP_ACT_ALLOW" },
            // Threads and fork, but never a new namespace: the kernel boundary stays the one runc built.
            new()
            {
                Names = ["clone"],
                Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArgSpec(0, CloneNamespaceFlags, "SCMP_CMP_MASKED_EQ", 0)],
            },
            // clone3 passes its flags in memory, which seccomp cannot inspect; ENOSYS makes glibc fall back to clone.
            new() { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = Enosys },
            // AF_ALG exposes kernel crypto, AF_VSOCK reaches the hypervisor; refuse those and every newer family.
            new()
            {
                Names = ["socket"],
                Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArgSpec(0, FirstDeniedAddressFamily, "SCMP_CMP_LT")],
            },
            .. AllowedPersonalities.Select(value => new SeccompSyscallSpec
            {
                Names = ["personality"],
                Action = "SCMP_ACT_ALLOW",
                Args = [new SeccompArgSpec(0, value, "SCMP_CMP_EQ")],
            }),
        ];

        return new SeccompSpec
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = Eperm,
            Architectures = Architectures,
            Syscalls = rules,
        };
    }
}
