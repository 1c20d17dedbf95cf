using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>
/// A long-lived thread started with pthread_create instead of <see cref="Thread.Start()"/>. Native AOT's Thread.Start
/// waits for the new thread to run, calling sched_yield until it does (~15 times per thread at an agent's start under
/// gVisor's ptrace platform, each a trapped system call); the starter here goes on at once, and the runtime adopts the
/// thread when it first enters managed code. For loops that never end (the agent's reaper and memory guard): an
/// exception escaping <c>body</c> ends the process, as it would on a <see cref="Thread"/>.
/// </summary>
public static unsafe class NativeThread
{
    private const int PrSetName = 15;

    /// <summary>Starts <paramref name="body"/> on a new thread named <paramref name="name"/> (at most 15 bytes are kept); 0 or an errno.</summary>
    public static int Start(string name, Action body)
    {
        var handle = GCHandle.Alloc(new PendingThread(name, body));
        nuint thread;
        int rc = Libc.pthread_create(&thread, null, &Run, GCHandle.ToIntPtr(handle));
        if (rc != 0)
        {
            handle.Free();
            return rc;
        }

        _ = Libc.pthread_detach(thread);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static nint Run(nint state)
    {
        var handle = GCHandle.FromIntPtr(state);
        var start = (PendingThread)handle.Target!;
        handle.Free();
        fixed (byte* name = System.Text.Encoding.UTF8.GetBytes(start.Name + "\0"))
        {
            _ = Libc.prctl(PrSetName, (nuint)name, 0, 0, 0);
        }

        start.Body();
        return 0;
    }

    private sealed record PendingThread(string Name, Action Body);
}
