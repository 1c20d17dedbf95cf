using System.Buffers;
using System.Net.Sockets;
using Airlock.Native;

namespace Airlock.Egress;

/// <summary>
/// One direction of a connection moved socket to socket inside the kernel with splice(2) through a pipe, for bytes
/// the gateway does not need to see (a response, an opaque tunnel). Copying them through user space cost two extra
/// copies and a dozen stream and async layers per chunk, which held a loopback download under 0.8x direct. Metering
/// stays exact: each piece is admitted (counted, charged against the quota, paid for from the tenant's bucket, in
/// pieces no larger than the bucket's chunk) before it leaves, as <see cref="TenantStream"/> does for copied bytes.
/// Nothing here blocks a thread or spins: EAGAIN is waited out asynchronously.
/// </summary>
internal static class SpliceRelay
{
    /// <summary>
    /// What one splice moves at most. F_SETPIPE_SZ may grant less (a user past its pipe-page allowance keeps 64 KiB),
    /// which costs speed, not correctness.
    /// </summary>
    private const int PipeCapacity = 1024 * 1024;

    /// <summary>The most that goes through user space to wait for room in a full send buffer (see the drain loop).</summary>
    private const int SpillSize = 16 * 1024;

    /// <summary>
    /// Linux, and both sockets non-blocking: .NET makes a socket's fd non-blocking at its first asynchronous call, and a
    /// splice on a blocking socket would block the calling thread.
    /// </summary>
    public static bool CanRelay(Socket from, Socket to) =>
        OperatingSystem.IsLinux() && SplicePipe.IsNonBlocking(from.SafeHandle) && SplicePipe.IsNonBlocking(to.SafeHandle);

    /// <summary>World to sandbox until <paramref name="upstream"/> ends; false, having moved nothing, if the kernel cannot splice these sockets.</summary>
    public static Task<bool> DownAsync(Socket upstream, Socket client, TenantStream meter, CancellationToken cancellationToken) =>
        RelayAsync(upstream, client, meter.DownChunk, meter.SendingAsync, meter.Sent, cancellationToken);

    /// <summary>Sandbox to world until <paramref name="client"/> ends; false, having moved nothing, if the kernel cannot splice these sockets.</summary>
    public static Task<bool> UpAsync(Socket client, Socket upstream, TenantStream meter, CancellationToken cancellationToken) =>
        RelayAsync(client, upstream, meter.UpChunk, meter.ReceivedAsync, null, cancellationToken);

    private static async Task<bool> RelayAsync(Socket from, Socket to, Func<int, int> chunk, Func<int, CancellationToken, ValueTask> admit,
        Action<int>? delivered, CancellationToken cancellationToken)
    {
        if (SplicePipe.Create(PipeCapacity, out var created) != 0) return false;
        using var pipe = created!;
        byte[]? spill = null;
        try
        {
            for (var first = true; ; first = false)
            {
                // Fill: whatever has arrived, up to one piece. The pipe is empty here (each piece is drained whole).
                int taken;
                int errno;
                while ((errno = pipe.FromSocket(from.SafeHandle, chunk(pipe.Capacity), out taken)) != 0)
                {
                    if (errno == Errno.EAGAIN)
                    {
                        // A zero-byte receive completes when bytes (or the end, or an error) arrive, and consumes nothing.
                        await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                    }
                    else if (errno == Errno.EINTR)
                    {
                    }
                    else if (first && errno is Errno.EINVAL or Errno.ENOSYS)
                    {
                        return false;
                    }
                    else
                    {
                        throw new IOException($"splice from a socket: {Errno.Message(errno)}");
                    }
                }

                if (taken == 0) return true;
                await admit(taken, cancellationToken);

                // Drain: the whole piece to the destination.
                for (var left = taken; left > 0;)
                {
                    errno = pipe.ToSocket(to.SafeHandle, left, out var sent);
                    if (errno == 0)
                    {
                        left -= sent;
                        delivered?.Invoke(sent);
                    }
                    else if (errno == Errno.EAGAIN)
                    {
                        // The send buffer is full. .NET awaits writability only inside a send, so a small part of the piece
                        // goes through user space: the awaited send waits for room, then splicing resumes.
                        spill ??= ArrayPool<byte>.Shared.Rent(SpillSize);
                        errno = pipe.Read(spill.AsSpan(0, Math.Min(left, SpillSize)), out var read);
                        if (errno != 0) throw new IOException($"read from a splice pipe: {Errno.Message(errno)}");
                        await to.SendAsync(spill.AsMemory(0, read), SocketFlags.None, cancellationToken);
                        left -= read;
                        delivered?.Invoke(read);
                    }
                    else if (errno != Errno.EINTR)
                    {
                        throw new IOException($"splice to a socket: {Errno.Message(errno)}");
                    }
                }
            }
        }
        finally
        {
            if (spill is not null) ArrayPool<byte>.Shared.Return(spill);
        }
    }
}
