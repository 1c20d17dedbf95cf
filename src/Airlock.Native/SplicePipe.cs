using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// A kernel pipe for moving a socket's bytes to another socket with splice(2), without copying them through user
/// space: socket -> pipe takes references to the received pages, pipe -> socket hands them to the sender. Both ends
/// are O_NONBLOCK and O_CLOEXEC; the sockets must be non-blocking too (<see cref="IsNonBlocking"/>), so that no call
/// here ever blocks a thread — EAGAIN says "wait for readiness", which the caller does asynchronously.
/// Methods return 0 or an errno and never throw for an errno.
/// </summary>
public sealed unsafe class SplicePipe : IDisposable
{
    private const uint SpliceMove = 0x01;
    private const uint SpliceNonBlock = 0x02;
    private const int FGetFl = 3;
    private const int FSetPipeSize = 1031;

    private readonly SafeFileHandle _readEnd;
    private readonly SafeFileHandle _writeEnd;

    private SplicePipe(SafeFileHandle readEnd, SafeFileHandle writeEnd, int capacity)
    {
        _readEnd = readEnd;
        _writeEnd = writeEnd;
        Capacity = capacity;
    }

    /// <summary>Bytes the pipe holds at most (what F_SETPIPE_SZ granted, or the default 64 KiB).</summary>
    public int Capacity { get; }

    /// <summary>
    /// pipe2(2), then F_SETPIPE_SZ to <paramref name="capacity"/>. A refused size (EPERM past the user's pipe-page
    /// allowance, or past /proc/sys/fs/pipe-max-size) keeps the default size rather than failing.
    /// </summary>
    public static int Create(int capacity, out SplicePipe? pipe)
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, OpenFlags.CloseOnExec | OpenFlags.NonBlock) != 0)
        {
            pipe = null;
            return Marshal.GetLastPInvokeError();
        }

        var readEnd = new SafeFileHandle(fds[0], ownsHandle: true);
        var writeEnd = new SafeFileHandle(fds[1], ownsHandle: true);
        var granted = Libc.fcntl(writeEnd, FSetPipeSize, capacity);
        pipe = new SplicePipe(readEnd, writeEnd, granted > 0 ? granted : 64 * 1024);
        return 0;
    }

    /// <summary>Whether <paramref name="fd"/> has O_NONBLOCK (splice on a blocking socket would block the calling thread).</summary>
    public static bool IsNonBlocking(SafeHandle fd)
    {
        var flags = Libc.fcntl(fd, FGetFl, 0);
        return flags >= 0 && (flags & OpenFlags.NonBlock) != 0;
    }

    /// <summary>Moves up to <paramref name="max"/> received bytes from <paramref name="socket"/> into the pipe; 0 moved is end of stream.</summary>
    public int FromSocket(SafeHandle socket, int max, out int moved) =>
        Result(Libc.splice(socket, null, _writeEnd, null, (nuint)max, SpliceMove | SpliceNonBlock), out moved);

    /// <summary>Sends up to <paramref name="max"/> bytes from the pipe to <paramref name="socket"/>; EAGAIN when its send buffer is full.</summary>
    public int ToSocket(SafeHandle socket, int max, out int moved) =>
        Result(Libc.splice(_readEnd, null, socket, null, (nuint)max, SpliceMove | SpliceNonBlock), out moved);

    /// <summary>Takes bytes out of the pipe into <paramref name="buffer"/> (for a caller that must send them itself).</summary>
    public int Read(Span<byte> buffer, out int moved)
    {
        fixed (byte* p = buffer)
        {
            return Result(Libc.read(_readEnd, p, (nuint)buffer.Length), out moved);
        }
    }

    public void Dispose()
    {
        _readEnd.Dispose();
        _writeEnd.Dispose();
    }

    private static int Result(nint rc, out int moved)
    {
        if (rc < 0)
        {
            moved = 0;
            return Marshal.GetLastPInvokeError();
        }

        moved = (int)rc;
        return 0;
    }
}
