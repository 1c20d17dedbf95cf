namespace Airlock.RedTeam.Cases;

/// <summary>Shared pieces of attack scripts.</summary>
internal static class Attack
{
    /// <summary>
    /// Python prelude: raw syscalls through libc (the image has no compiler), a <c>hold()</c> that keeps whatever
    /// the attack obtained alive for the host's census to see, and one line per attempt for the reader.
    /// </summary>
    public const string Py = """
        import ctypes, os, sys, time, socket, hashlib, struct
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def sc(n, *a):
            r = libc.syscall(ctypes.c_long(n), *[ctypes.c_long(x) if isinstance(x, int) else x for x in a])
            return r, ('ok' if r >= 0 else os.strerror(ctypes.get_errno()))
        held = []
        def say(*a):
            print(*a, flush=True)
        def hold(seconds=2):
            time.sleep(seconds)

        """;
}
