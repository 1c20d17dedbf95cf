using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// Pseudo-terminals (the guest agent's <c>pty.open</c>) and the local terminal's modes (the CLI's <c>airlock shell</c>).
/// Methods return 0 or an errno.
/// </summary>
public static unsafe class NativeTerminal
{
    /// <summary>glibc's <c>struct termios</c> is 60 bytes on Linux; the buffer leaves room for any architecture.</summary>
    public const int TermiosSize = 256;

    private const nuint TiocGetWindowSize = 0x5413;
    private const nuint TiocSetWindowSize = 0x5414;
    private const int ReadWrite = 0x2;
    private const int NoControllingTerminal = 0x100;

    /// <summary>
    /// A new pseudo-terminal: the master end (close-on-exec, never the agent's controlling terminal) and the path
    /// of its replica (/dev/pts/N), which the command opens itself after <c>setsid</c> so that it becomes its
    /// controlling terminal. The window size is set before anything can read it.
    /// </summary>
    public static int OpenPseudoTerminal(ushort columns, ushort rows, out SafeFileHandle master, out string replicaPath)
    {
        master = new SafeFileHandle();
        replicaPath = "";
        int fd = Libc.posix_openpt(ReadWrite | NoControllingTerminal | OpenFlags.CloseOnExec);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.grantpt(fd) != 0 || Libc.unlockpt(fd) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return errno;
        }

        byte* name = stackalloc byte[128];
        int rc = Libc.ptsname_r(fd, name, 128);
        if (rc != 0)
        {
            handle.Dispose();
            return rc;
        }

        rc = SetWindowSize(handle, columns, rows);
        if (rc != 0)
        {
            handle.Dispose();
            return rc;
        }

        replicaPath = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
        master = handle;
        return 0;
    }

    /// <summary>TIOCSWINSZ on the master: the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public static int SetWindowSize(SafeFileHandle terminal, ushort columns, ushort rows)
    {
        ushort* size = stackalloc ushort[4] { rows, columns, 0, 0 };
        bool added = false;
        try
        {
            terminal.DangerousAddRef(ref added);
            return Libc.ioctl((int)terminal.DangerousGetHandle(), TiocSetWindowSize, size) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added) terminal.DangerousRelease();
        }
    }

    /// <summary>The window size of the terminal on <paramref name="fd"/> (0 = stdin), or false when it is not a terminal.</summary>
    public static bool TryGetWindowSize(int fd, out ushort columns, out ushort rows)
    {
        ushort* size = stackalloc ushort[4];
        bool ok = Libc.ioctl(fd, TiocGetWindowSize, size) == 0 && size[0] > 0 && size[1] > 0;
        rows = ok ? size[0] : (ushort)0;
        columns = ok ? size[1] : (ushort)0;
        return ok;
    }

    /// <summary>
    /// poll(2) for input on <paramref name="terminal"/>: 1 when a read will not block (data, or the other end hung up), 0 on
    /// timeout, or a negative errno. A blocked read on a terminal cannot be cancelled (closing the fd does not wake it), so
    /// readers wait here, in slices, and read only what is there.
    /// </summary>
    public static int WaitReadable(SafeFileHandle terminal, int timeoutMs)
    {
        bool added = false;
        try
        {
            terminal.DangerousAddRef(ref added);
            // struct pollfd { int fd; short events; short revents; }; POLLIN = 1
            int* pollFd = stackalloc int[2];
            pollFd[0] = (int)terminal.DangerousGetHandle();
            pollFd[1] = 1;
            int rc = Libc.poll(pollFd, 1, timeoutMs);
            if (rc < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == Errno.EINTR ? 0 : -errno;
            }

            return rc > 0 ? 1 : 0;
        }
        finally
        {
            if (added) terminal.DangerousRelease();
        }
    }

    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>Saves the modes of the terminal on <paramref name="fd"/> into <paramref name="saved"/> (<see cref="TermiosSize"/> bytes) and puts it in raw mode.</summary>
    public static int MakeRaw(int fd, byte[] saved)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(saved.Length, TermiosSize);
        byte* raw = stackalloc byte[TermiosSize];
        fixed (byte* original = saved)
        {
            if (Libc.tcgetattr(fd, original) != 0) return Marshal.GetLastPInvokeError();
            new ReadOnlySpan<byte>(original, TermiosSize).CopyTo(new Span<byte>(raw, TermiosSize));
        }

        Libc.cfmakeraw(raw);
        return Libc.tcsetattr(fd, 0 /* TCSANOW */, raw) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Puts back modes saved by <see cref="MakeRaw"/>.</summary>
    public static int Restore(int fd, byte[] saved)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(saved.Length, TermiosSize);
        fixed (byte* original = saved)
        {
            return Libc.tcsetattr(fd, 0 /* TCSANOW */, original) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }
}
