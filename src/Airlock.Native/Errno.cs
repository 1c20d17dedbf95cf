using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>The errno values the agent distinguishes (Linux, every architecture).</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENOEXEC = 8;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int EPIPE = 32;
    public const int ENAMETOOLONG = 36;
    public const int ELOOP = 40;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int EDQUOT = 122;

    /// <summary>The C library's text for <paramref name="errno"/> ("No such file or directory").</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
