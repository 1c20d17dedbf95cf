using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Privilege;

/// <summary>
/// The syscalls the container tier's seccomp allowlist refuses (docs/redteam.md has the expected list). Each
/// attack asks for the kernel object with arguments an unprivileged process would be granted, and holds it: on
/// the container tier an object granted by the host kernel shows up as an anon-inode or socket descriptor of a
/// sandbox process, which the host census reads. Under gVisor and the microVM the sentry or guest kernel may
/// serve it; the host's runsc/QEMU processes must still hold nothing new.
/// </summary>
internal static class SyscallSweep
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return NamespaceAttacks.Py("bpf", "bpf(BPF_MAP_CREATE) for an array map, held; host: no bpf-map descriptor in the sandbox",
            "attr = struct.pack('IIII', 2, 4, 4, 1) + bytes(112)\nr = sc(321, 0, ctypes.c_char_p(attr), 128); say('bpf', r); hold()");
        yield return NamespaceAttacks.Py("perf-event-open", "perf_event_open of a user-only software counter on itself, held; host: no perf_event descriptor",
            "attr = struct.pack('IIQQQQQ', 1, 128, 0, 0, 0, 0, 1 | 32 | 64) + bytes(128 - 48)\nr = sc(298, ctypes.c_char_p(attr), 0, -1, -1, 0); say('perf_event_open', r); hold()");
        yield return NamespaceAttacks.Py("io-uring", "io_uring_setup(4), held; host: no io_uring descriptor in the sandbox",
            "params = ctypes.create_string_buffer(120)\nr = sc(425, 4, params); say('io_uring_setup', r); hold()");
        yield return NamespaceAttacks.Py("userfaultfd", "userfaultfd(UFFD_USER_MODE_ONLY), held; host: no userfaultfd descriptor",
            "r = sc(323, 0x80000 | 1); say('userfaultfd', r); hold()");
        yield return NamespaceAttacks.Py("af-alg", "an AF_ALG socket bound to sha256 (kernel crypto API), held; host: no socket outside inet/unix/netlink",
            """
            try:
                s = socket.socket(38, socket.SOCK_SEQPACKET, 0); held.append(s); s.bind(('hash', 'sha256')); say('AF_ALG ok')
            except OSError as e:
                say('AF_ALG', e)
            hold()
            """);
        yield return NamespaceAttacks.Py("af-vsock", "an AF_VSOCK socket (a path to the hypervisor), connected to the host CID 2, held; host: census",
            """
            try:
                s = socket.socket(40, socket.SOCK_STREAM, 0); held.append(s); say('AF_VSOCK socket ok')
                s.settimeout(2); s.connect((2, 1024)); say('AF_VSOCK connected')
            except OSError as e:
                say('AF_VSOCK', e)
            hold()
            """);
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "keyctl",
            Attempts = "add_key(2) a user key to the session keyring and keyctl it; host: /proc/key-users of the sandbox's host uids",
            Python = true,
            Script = c => Attack.Py + $"r = sc(248, b'user', b'airlock-rt-{c.Nonce}', b'payload', 7, -3); say('add_key', r); say('keyctl', sc(250, 0, -3, 0)); hold()",
            Checks = () => [new KeyUsersUnchanged()],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "kexec",
            Attempts = "kexec_load and kexec_file_load of a new kernel; host: /sys/kernel/kexec_loaded and kexec_crash_loaded unchanged",
            Python = true,
            Script = _ => Attack.Py + "say('kexec_load', sc(246, 0, 0, None, 0x3E0001))\nfd = os.open('/bin/true', os.O_RDONLY)\nsay('kexec_file_load', sc(320, fd, fd, 0, None, 0))",
            Checks = () => [new HostFileUnchanged("/sys/kernel/kexec_loaded"), new HostFileUnchanged("/sys/kernel/kexec_crash_loaded")],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "kernel-module",
            Attempts = "init_module/finit_module of a module image and delete_module of a host module; host: /proc/modules unchanged",
            Python = true,
            Script = _ => Attack.Py + "say('init_module', sc(175, ctypes.c_char_p(b'\\x7fELF' + bytes(60)), 64, b''))\nfd = os.open('/bin/true', os.O_RDONLY)\nsay('finit_module', sc(313, fd, b'', 0))\nsay('delete_module', sc(176, b'airlock_rt_none', 0x800))",
            Checks = () => [new HostFileUnchanged("/proc/modules")],
        };
    }
}
