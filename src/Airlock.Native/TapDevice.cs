using System.Runtime.InteropServices;
using System.Text;


namespace Airlock.Native;

/// <summary>
/// Hands a VMM an existing tap device as an open descriptor, so that the VMM itself never needs <c>/dev/net/tun</c>
/// (root-only on many hosts) or any privilege: a root launcher attaches to the device, puts the descriptor at a fixed
/// number and execs the rest of the launch chain (which drops privileges before the VMM runs).
/// </summary>
public static unsafe class TapDevice
{
    private const int AtFdCwd = -100;
    private const int ReadWrite = 0x2;
    private const nuint TunSetInterface = 0x400454ca; // TUNSETIFF = _IOW('T', 202, int)
    private const short Tap = 0x0002;                 // IFF_TAP
    private const short NoPacketInfo = 0x1000;        // IFF_NO_PI
    private const short VirtioNetHeader = 0x4000;     // IFF_VNET_HDR: lets the VMM pass offloads (QEMU probes it)
    private const int InterfaceNameSize = 16;         // IFNAMSIZ
    private const int InterfaceRequestSize = 40;      // sizeof(struct ifreq)
    private const int GetDescriptorFlags = 1;         // F_GETFD

    /// <summary>
    /// Attaches to tap <paramref name="name"/> of the caller's network namespace (an existing device; a missing one would be
    /// created, so the caller makes it first) and returns the descriptor at number <paramref name="descriptor"/>, open
    /// across exec. That number must be free (EBUSY otherwise): the runtime keeps descriptors of its own (/dev/urandom)
    /// at low numbers, and replacing one would make it read the tap. 0 or an errno.
    /// </summary>
    public static int Attach(string name, int descriptor)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        if (nameBytes.Length is 0 or >= InterfaceNameSize) return Errno.EINVAL;
        if (Libc.fcntl(descriptor, GetDescriptorFlags, 0) >= 0) return Errno.EBUSY;
        int fd;
        fixed (byte* path = "/dev/net/tun\0"u8)
        {
            // Not close-on-exec: the descriptor is meant to survive the exec (the launcher is single-purpose).
            fd = Libc.openat_cwd(AtFdCwd, path, ReadWrite, 0);
        }

        if (fd < 0) return Marshal.GetLastPInvokeError();
        var request = stackalloc byte[InterfaceRequestSize];
        new Span<byte>(request, InterfaceRequestSize).Clear();
        nameBytes.CopyTo(new Span<byte>(request, InterfaceNameSize));
        *(short*)(request + InterfaceNameSize) = Tap | NoPacketInfo | VirtioNetHeader;
        if (Libc.ioctl(fd, TunSetInterface, request) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = Libc.close(fd);
            return error;
        }

        if (fd == descriptor) return 0;
        if (Libc.dup2(fd, descriptor) < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = Libc.close(fd);
            return error;
        }

        _ = Libc.close(fd);
        return 0;
    }
}
