using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>
/// splice(2) and the pipe calls around it, for relaying socket to socket inside the kernel. The fds are passed as
/// SafeHandles so the marshaller holds a reference for the length of each call: a socket closed by another thread
/// meanwhile fails the call (ObjectDisposedException) instead of its fd number being reused under it.
/// <c>fcntl</c> is variadic; it is bound with one integer argument, which is ABI-compatible on x86-64 and arm64 Linux.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint splice(SafeHandle fdIn, long* offIn, SafeHandle fdOut, long* offOut, nuint len, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(SafeHandle fd, byte* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fcntl(SafeHandle fd, int cmd, int arg);
}
