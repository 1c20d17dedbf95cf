using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Native;

/// <summary>
/// What a single-purpose launcher on the host does to itself before it execs a runtime: a session of its own, another
/// network namespace, a private mount namespace, standard streams on /dev/null. Each call changes the calling thread
/// (namespaces) or the whole process (session, descriptors); the launcher makes them all from its main thread, then
/// execs from that same thread. 0 or an errno, like the rest of this assembly.
/// </summary>
public static unsafe class LaunchCalls
{
    private const int AtFdCwd = -100;
    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int CloseOnExec = 0x80000;
    private const int DuplicateCloseOnExec = 1030; // F_DUPFD_CLOEXEC
    private const int NewMountNamespace = 0x20000;  // CLONE_NEWNS
    private const int NewNetworkNamespace = 0x40000000; // CLONE_NEWNET
    private const ulong Recursive = 16384;          // MS_REC
    private const ulong Private = 1 << 18;          // MS_PRIVATE

    /// <summary>setsid(2): a new session and process group, so a daemon's Ctrl-C or exit never reaches what this execs.</summary>
    public static int NewSession() => Libc.setsid() >= 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Moves the calling thread into the network namespace at <paramref name="path"/> (a /proc/PID/ns/net or a bind mount of one).</summary>
    public static int EnterNetworkNamespace(string path)
    {
        var fd = Open(path, ReadOnly | CloseOnExec);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        var result = Libc.setns(fd, NewNetworkNamespace) == 0 ? 0 : Marshal.GetLastPInvokeError();
        _ = Libc.close(fd);
        return result;
    }

    /// <summary>A mount namespace of the calling thread's own, every mount in it private: nothing mounted here is seen outside.</summary>
    public static int PrivateMountNamespace()
    {
        if (Libc.unshare(NewMountNamespace) != 0) return Marshal.GetLastPInvokeError();
        return HostMountCalls.Mount("none", "/", "", Recursive | Private, null);
    }

    /// <summary>
    /// Puts /dev/null on descriptors 0, 1 and 2 (a detached runtime's long-lived children must not hold the caller's pipes
    /// open); <paramref name="savedError"/> is the former standard error, closed on exec, for a failure to report afterwards.
    /// </summary>
    public static int RedirectStandardStreamsToNull(out int savedError)
    {
        savedError = Libc.fcntl(2, DuplicateCloseOnExec, 3);
        var devNull = Open("/dev/null", ReadWrite);
        if (devNull < 0) return Marshal.GetLastPInvokeError();
        for (var fd = 0; fd <= 2; fd++)
        {
            if (Libc.dup2(devNull, fd) < 0) return Marshal.GetLastPInvokeError();
        }

        if (devNull > 2) _ = Libc.close(devNull);
        return 0;
    }

    /// <summary>
    /// Blocks until the standard input delivers a byte (true: the caller's go) or ends (false: the caller gave up, or
    /// died, before saying go). 0 or an errno in <paramref name="error"/>.
    /// </summary>
    public static bool AwaitGoOnStandardInput(out int error)
    {
        using var stdin = new SafeFileHandle(0, ownsHandle: false);
        byte go;
        while (true)
        {
            var read = Libc.read(stdin, &go, 1);
            error = read < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (error != Errno.EINTR) return read == 1;
        }
    }

    /// <summary>Writes a message to a descriptor (the saved standard error), ignoring failure: the last words of a launcher.</summary>
    public static void WriteLine(int fd, string message)
    {
        if (fd < 0) return;
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        fixed (byte* p = bytes)
        {
            _ = Libc.write(fd, p, (nuint)bytes.Length);
        }
    }

    private static int Open(string path, int flags)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.openat_cwd(AtFdCwd, p, flags, 0);
        }
    }
}
