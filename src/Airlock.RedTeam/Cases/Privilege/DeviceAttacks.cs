using System.Security.Cryptography;
using Airlock.RedTeam.Host;
using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Privilege;

/// <summary>Device nodes and sockets that reach below the sandbox: the host disk, kernel log, memory, raw networking.</summary>
internal static class DeviceAttacks
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return new HostDiskAttack();
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "mknod-kmsg",
            Attempts = "mknod /dev/kmsg (c 1 11) and write a line into the kernel log; host: its dmesg never shows the line",
            Script = c => $"mknod /tmp/kmsg c 1 11; echo airlock-rt-{c.Nonce} > /tmp/kmsg; echo airlock-rt-{c.Nonce} > /dev/kmsg; ls -l /tmp/kmsg",
            Checks = () => [new KernelLogQuiet(c => "airlock-rt-" + c.Nonce)],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Privilege,
            Name = "mknod-mem",
            Attempts = "mknod /dev/mem, /dev/kmem and /dev/port and read them; host: its own /dev/mem's first page hash never appears",
            Python = true,
            Script = _ => Attack.Py + """
                for name, maj, mi in [('mem', 1, 1), ('kmem', 1, 2), ('port', 1, 4)]:
                    p = '/tmp/' + name
                    try:
                        os.mknod(p, 0o600 | 0o020000, os.makedev(maj, mi))
                        with open(p, 'rb') as f: say(name, hashlib.sha256(f.read(4096)).hexdigest())
                    except OSError as e:
                        say(name, e)
                """,
            HostSecrets = _ => HostFiles.Head("/dev/mem", 4096) is { Length: 4096 } page ? [(Convert.ToHexStringLower(SHA256.HashData(page)), "the host's physical memory (/dev/mem)")] : [],
        };
        yield return NamespaceAttacks.Py("raw-socket", "AF_INET and AF_INET6 SOCK_RAW sockets, held (nothing is sent); host: the sandbox's network namespace has no raw socket",
            """
            for fam, proto in [(socket.AF_INET, socket.IPPROTO_ICMP), (socket.AF_INET6, socket.IPPROTO_ICMPV6), (socket.AF_INET, socket.IPPROTO_RAW)]:
                try:
                    held.append(socket.socket(fam, socket.SOCK_RAW, proto)); say('raw ok', fam, proto)
                except OSError as e:
                    say('raw', fam, proto, e)
            hold()
            """);
        yield return NamespaceAttacks.Py("packet-socket", "AF_PACKET SOCK_RAW and SOCK_DGRAM sockets, held; host: no packet socket in the sandbox's network namespace",
            """
            for kind in [socket.SOCK_RAW, socket.SOCK_DGRAM]:
                try:
                    held.append(socket.socket(socket.AF_PACKET, kind, socket.htons(3))); say('packet ok', kind)
                except OSError as e:
                    say('packet', kind, e)
            hold()
            """);
    }
}
