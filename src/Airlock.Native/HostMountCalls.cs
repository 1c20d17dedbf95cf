using System.Runtime.InteropServices;
using System.Text;

namespace Airlock.Native;

/// <summary>
/// mount(2), umount2(2) and loop-device attachment for the host side of a sandbox's storage. The create
/// path of a sandbox calls these instead of the util-linux binaries: each process start costs several
/// milliseconds, which is most of the disk set-up time.
/// </summary>
public static unsafe partial class HostMountCalls
{
    public const ulong ReadOnly = 1;
    public const ulong NoSuid = 2;
    public const ulong NoDev = 4;
    public const ulong NoExec = 8;
    public const ulong Remount = 32;
    public const ulong NoAtime = 1024;
    public const ulong Bind = 4096;
    public const int DetachLazily = 2;

    private const ulong LoopControlGetFree = 0x4C82;
    private const ulong LoopConfigure = 0x4C0A;
    private const uint LoopFlagAutoClear = 4;
    private const int ReadWrite = 2;
    private const int CloseOnExec = 0x80000;

    /// <summary>mount(2); returns 0 or the errno.</summary>
    public static int Mount(string source, string target, string fileSystem, ulong flags, string? data)
    {
        fixed (byte* s = Utf8Z(source), t = Utf8Z(target), f = Utf8Z(fileSystem), d = data is null ? null : Utf8Z(data))
        {
            return mount(s, t, f, flags, d) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>umount2(2); returns 0 or the errno.</summary>
    public static int Unmount(string target, int flags = 0)
    {
        fixed (byte* t = Utf8Z(target))
        {
            return umount2(t, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>
    /// Attaches <paramref name="imagePath"/> to a free loop device with autoclear (the device detaches itself
    /// when its last user — the mount — goes away) and returns the device path. Retries when another process
    /// takes the free device first.
    /// </summary>
    /// <remarks>The returned handle keeps the device attached: hold it until the file system on it is mounted.</remarks>
    public static int AttachLoop(string imagePath, out string device, out Microsoft.Win32.SafeHandles.SafeFileHandle attachment)
    {
        device = "";
        attachment = new Microsoft.Win32.SafeHandles.SafeFileHandle();
        for (var attempt = 0; attempt < 32; attempt++)
        {
            int control, image;
            fixed (byte* c = Utf8Z("/dev/loop-control"), p = Utf8Z(imagePath))
            {
                control = open(c, ReadWrite | CloseOnExec, 0);
                if (control < 0) return Marshal.GetLastPInvokeError();
                image = open(p, ReadWrite | CloseOnExec, 0);
                if (image < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    close(control);
                    return error;
                }
            }

            try
            {
                var number = ioctl(control, LoopControlGetFree, 0);
                if (number < 0) return Marshal.GetLastPInvokeError();
                var candidate = $"/dev/loop{number}";
                int loop;
                fixed (byte* l = Utf8Z(candidate))
                {
                    loop = open(l, ReadWrite | CloseOnExec, 0);
                }

                if (loop < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error == Errno.ENOENT) continue; // udev has not made the node yet; ask again
                    return error;
                }

                var config = default(LoopConfig);
                config.Fd = (uint)image;
                config.Flags = LoopFlagAutoClear;
                if (ioctl(loop, LoopConfigure, (nint)(&config)) == 0)
                {
                    device = candidate;
                    attachment = new Microsoft.Win32.SafeHandles.SafeFileHandle(loop, ownsHandle: true);
                    return 0;
                }

                var configureError = Marshal.GetLastPInvokeError();
                close(loop);
                if (configureError != Errno.EBUSY) return configureError;
            }
            finally
            {
                close(image);
                close(control);
            }
        }

        return Errno.EBUSY;
    }

    /// <summary>lchown(2) (never follows a symlink); returns 0 or the errno.</summary>
    public static int ChangeOwner(string path, uint uid, uint gid)
    {
        fixed (byte* p = Utf8Z(path))
        {
            return lchown(p, uid, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    private static byte[] Utf8Z(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("NUL in a path or mount option", nameof(text));
        return Encoding.UTF8.GetBytes(text + "\0");
    }

    /// <summary>struct loop_config (linux/loop.h): fd, block_size, loop_info64 (232 bytes, lo_flags at 52), 64 reserved bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 304)]
    private struct LoopConfig
    {
        [FieldOffset(0)]
        public uint Fd;

        [FieldOffset(8 + 52)]
        public uint Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mount(byte* source, byte* target, byte* fileSystem, ulong flags, byte* data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int umount2(byte* target, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int open(byte* path, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int lchown(byte* path, uint uid, uint gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, nint argument);
}
