using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// Raw glibc entry points. Kept private to this assembly: callers use the typed wrappers in
/// <see cref="NativeFs"/> and <see cref="NativeProcess"/>, which translate errno into a return value.
/// Variadic functions (<c>syscall</c>, <c>openat</c>, <c>fcntl</c>, <c>prctl</c>) are bound with fixed integer
/// arguments, which is ABI-compatible on x86-64 and arm64 Linux.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial long syscall(long number, SafeFileHandle dirfd, byte* path, void* how, nuint size);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int openat(SafeFileHandle dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true)]
    internal static partial int openat_cwd(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int dup2(int fd, int newfd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);

    /// <summary>The fd as a SafeHandle: the marshaller holds a reference for the call, so a concurrent close cannot reuse its number under it.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(SafeHandle fd, byte* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int execvp(byte* file, byte** argv);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int mkdirat(SafeFileHandle dirfd, byte* path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int unlinkat(SafeFileHandle dirfd, byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int symlinkat(byte* target, SafeFileHandle newdirfd, byte* linkpath);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int linkat(SafeFileHandle olddirfd, byte* oldpath, SafeFileHandle newdirfd, byte* newpath, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint readlinkat(SafeFileHandle dirfd, byte* path, byte* buf, nuint size);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int statx(SafeFileHandle dirfd, byte* path, int flags, uint mask, StatxBuffer* buf);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint getdents64(SafeFileHandle fd, byte* buf, nuint size);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close_range(uint first, uint last, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setsid();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int unshare(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setns(int fd, int type);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport(Lib)]
    internal static partial int sigfillset(void* set);

    [LibraryImport(Lib)]
    internal static partial int sigemptyset(void* set);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Lib)]
    internal static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport(Lib)]
    internal static partial int posix_spawn(int* pid, byte* path, void* actions, void* attr, byte** argv, byte** envp);
}

/// <summary>Linux <c>struct statx</c> (256 bytes, the same layout on every architecture).</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    [FieldOffset(0)] public uint Mask;
    [FieldOffset(16)] public uint NLink;
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(24)] public uint Gid;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(32)] public ulong Ino;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(112)] public long MtimeSec;
    [FieldOffset(120)] public uint MtimeNsec;
}

/// <summary>Linux <c>struct open_how</c> for openat2(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenHow
{
    public ulong Flags;
    public ulong Mode;
    public ulong Resolve;
}
