using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// fd-relative file system calls. Every method returns 0 or an errno and never throws for an errno,
/// so callers map failures to their own messages. Every fd it opens is O_CLOEXEC, so none can leak into
/// a spawned command.
/// </summary>
public static unsafe class NativeFs
{
    private const long SysOpenat2 = 437; // the same number on x86-64 and arm64 (new-style table)
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtRemoveDir = 0x200;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>FIONREAD: how many bytes a pipe (or socket) holds unread right now; 0 when it cannot tell.</summary>
    public static int BytesAvailable(SafeHandle handle)
    {
        const nuint fionread = 0x541B;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int bytes = 0;
            return Libc.ioctl((int)handle.DangerousGetHandle(), fionread, &bytes) == 0 ? bytes : 0;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>open(2) of a host path, relative to the current directory (used once, for the root).</summary>
    public static int Open(string path, int flags, out SafeFileHandle handle)
    {
        fixed (byte* p = Utf8(path))
        {
            int fd = Libc.openat_cwd(AtFdCwd, p, flags | OpenFlags.CloseOnExec, 0);
            return Wrap(fd, out handle);
        }
    }

    /// <summary>openat2(2): resolves <paramref name="path"/> below <paramref name="dir"/> under the <paramref name="resolve"/> rules.</summary>
    public static int OpenAt2(SafeFileHandle dir, string path, int flags, uint mode, ulong resolve, out SafeFileHandle handle)
    {
        var how = new OpenHow
        {
            Flags = (ulong)(uint)(flags | OpenFlags.CloseOnExec),
            Mode = (flags & OpenFlags.Create) != 0 ? mode : 0,
            Resolve = resolve,
        };
        fixed (byte* p = Utf8(path))
        {
            long fd = Libc.syscall(SysOpenat2, dir, p, &how, (nuint)sizeof(OpenHow));
            return Wrap((int)fd, out handle);
        }
    }

    /// <summary>openat(2) of a single name in <paramref name="dir"/>.</summary>
    public static int OpenAt(SafeFileHandle dir, string name, int flags, uint mode, out SafeFileHandle handle)
    {
        fixed (byte* p = Utf8(name))
        {
            return Wrap(Libc.openat(dir, p, flags | OpenFlags.CloseOnExec, mode), out handle);
        }
    }

    public static int MakeDirectoryAt(SafeFileHandle dir, string name, uint mode)
    {
        fixed (byte* p = Utf8(name))
        {
            return Result(Libc.mkdirat(dir, p, mode));
        }
    }

    /// <summary>unlinkat(2); with <paramref name="directory"/> it removes an empty directory (AT_REMOVEDIR).</summary>
    public static int UnlinkAt(SafeFileHandle dir, string name, bool directory)
    {
        fixed (byte* p = Utf8(name))
        {
            return Result(Libc.unlinkat(dir, p, directory ? AtRemoveDir : 0));
        }
    }

    public static int SymlinkAt(string target, SafeFileHandle dir, string name)
    {
        fixed (byte* t = Utf8(target))
        fixed (byte* p = Utf8(name))
        {
            return Result(Libc.symlinkat(t, dir, p));
        }
    }

    /// <summary>linkat(2) without AT_SYMLINK_FOLLOW: a hard link to the entry itself, never to a symlink's target.</summary>
    public static int LinkAt(SafeFileHandle oldDir, string oldName, SafeFileHandle newDir, string newName)
    {
        fixed (byte* o = Utf8(oldName))
        fixed (byte* n = Utf8(newName))
        {
            return Result(Libc.linkat(oldDir, o, newDir, n, 0));
        }
    }

    public static int ReadLinkAt(SafeFileHandle dir, string name, out string target)
    {
        target = "";
        byte[] buffer = new byte[4096];
        fixed (byte* p = Utf8(name))
        fixed (byte* b = buffer)
        {
            nint n = Libc.readlinkat(dir, p, b, (nuint)buffer.Length);
            if (n < 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            target = Encoding.UTF8.GetString(buffer, 0, (int)n);
            return 0;
        }
    }

    public static int ChangeMode(SafeFileHandle file, uint mode) => Result(Libc.fchmod(file, mode));

    /// <summary>statx(2) of <paramref name="name"/> in <paramref name="dir"/> without following a final symlink; "" means <paramref name="dir"/> itself.</summary>
    public static int StatAt(SafeFileHandle dir, string name, out FileStatus status)
    {
        StatxBuffer buf;
        int flags = AtSymlinkNoFollow | (name.Length == 0 ? AtEmptyPath : 0);
        fixed (byte* p = Utf8(name))
        {
            int rc = Libc.statx(dir, p, flags, StatxBasicStats, &buf);
            status = rc == 0 ? new FileStatus(buf.Mode, (long)buf.Size, buf.MtimeSec, buf.MtimeNsec) { OwnerId = buf.Uid } : default;
            return Result(rc);
        }
    }

    /// <summary>The names in the directory open as <paramref name="dir"/> (O_RDONLY|O_DIRECTORY), without "." and "..".</summary>
    public static int ReadDirectory(SafeFileHandle dir, List<string> names)
    {
        byte[] buffer = new byte[32 * 1024];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                nint n = Libc.getdents64(dir, b, (nuint)buffer.Length);
                if (n < 0)
                {
                    return Marshal.GetLastPInvokeError();
                }

                if (n == 0)
                {
                    return 0;
                }

                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                for (nint offset = 0; offset < n;)
                {
                    byte* entry = b + offset;
                    ushort reclen = *(ushort*)(entry + 16);
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + 19);
                    if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
                    {
                        names.Add(Encoding.UTF8.GetString(name));
                    }

                    offset += reclen;
                }
            }
        }
    }

    internal static byte[] Utf8(string value)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static int Wrap(int fd, out SafeFileHandle handle)
    {
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle = new SafeFileHandle();
            return errno;
        }

        handle = new SafeFileHandle(fd, ownsHandle: true);
        return 0;
    }

    private static int Result(int rc) => rc == 0 ? 0 : Marshal.GetLastPInvokeError();
}
