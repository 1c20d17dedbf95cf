using System.Text.RegularExpressions;
using Airlock.Core;

namespace Airlock.Backends.MicroVm;

/// <summary>
/// Every host name a microVM sandbox uses, derived from its id alone, so DestroyAsync can find all of it
/// after a crash. A directory of its own (not the container tier's <c>sandboxes/</c>), so neither tier's
/// orphan sweep mistakes the other's sandboxes for its own:
/// <code>
/// {data}/microvm/{id}/        0711 root
///   qemu.pid  bridge.pid      written by root before exec, never by the jailed processes
///   disk.img                  blank ext4 of exactly DiskBytes (guest /dev/vdb, the overlay upper): the quota
///   initrd.cpio               0400 vmm uid: the shared initramfs + agent + this sandbox's settings
///   vm/                       0700 vmm uid: agent.sock (QEMU's virtio-serial chardev), qmp.sock, and
///     bridge.sock             the host end the engine connects to (one connection per operation)
/// cgroups: {hierarchy}/airlock-vmm/{id} (memory, pids, cpu; and the unified hierarchy)
/// </code>
/// </summary>
internal sealed partial record MicroVmLayout
{
    public const string CgroupParent = "airlock-vmm";

    private const int MaxSocketPath = 107;

    private MicroVmLayout(string id, string directory)
    {
        Id = id;
        Directory = directory;
    }

    public string Id { get; }

    public string Directory { get; }

    public string QemuPidFile => Path.Combine(Directory, "qemu.pid");

    public string BridgePidFile => Path.Combine(Directory, "bridge.pid");

    public string DiskImage => Path.Combine(Directory, "disk.img");

    public string Initrd => Path.Combine(Directory, "initrd.cpio");

    public string VmDirectory => Path.Combine(Directory, "vm");

    public string SerialSocket => Path.Combine(VmDirectory, "agent.sock");

    public string QmpSocket => Path.Combine(VmDirectory, "qmp.sock");

    public string BridgeSocket => Path.Combine(VmDirectory, "bridge.sock");

    public string IncomingSocket => Path.Combine(VmDirectory, "incoming.sock");

    public string OutgoingSocket => Path.Combine(VmDirectory, "outgoing.sock");

    public string BridgeLog => Path.Combine(Directory, "bridge.log");

    public string QemuLog => Path.Combine(Directory, "qemu.log");

    public string CgroupPath => CgroupParent + "/" + Id;


    public static string Root(AirlockPaths paths) => Path.Combine(paths.DataDirectory, "microvm");

    public static MicroVmLayout For(AirlockPaths paths, string id)
    {
        if (!IdPattern().IsMatch(id))
        {
            throw new ArgumentException($"invalid sandbox id '{id}': use 1-64 of [A-Za-z0-9_.-], starting with a letter or digit", nameof(id));
        }

        return new MicroVmLayout(id, Path.GetFullPath(Path.Combine(Root(paths), id)));
    }

    public void ValidateForCreate()
    {
        foreach (var socket in new[] { SerialSocket, QmpSocket, BridgeSocket, IncomingSocket, OutgoingSocket })
        {
            if (socket.Length > MaxSocketPath)
            {
                throw new ArgumentException($"socket path is longer than {MaxSocketPath} bytes, use a shorter data directory: {socket}");
            }

            // QEMU splits -chardev options at commas.
            if (socket.Contains(',', StringComparison.Ordinal))
            {
                throw new ArgumentException($"path cannot be passed to QEMU (contains a comma): {socket}");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();
}
