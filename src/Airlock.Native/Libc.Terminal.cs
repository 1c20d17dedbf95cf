using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>
/// glibc's pseudo-terminal and termios entry points. <c>ioctl</c> is variadic; it is bound with one pointer
/// argument, which is ABI-compatible on x86-64 and arm64 Linux. <c>struct termios</c> is treated as an opaque
/// buffer (<see cref="NativeTerminal.TermiosSize"/>) that only glibc reads and writes.
/// </summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int posix_openpt(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int grantpt(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int unlockpt(int fd);

    [LibraryImport(Lib)]
    internal static partial int ptsname_r(int fd, byte* buf, nuint size);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tcgetattr(int fd, void* termios);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tcsetattr(int fd, int optionalActions, void* termios);

    [LibraryImport(Lib)]
    internal static partial void cfmakeraw(void* termios);

    [LibraryImport(Lib)]
    internal static partial int isatty(int fd);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int poll(void* fds, nuint count, int timeoutMs);
}
