using System.Net.Sockets;
using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Bridge;

internal sealed partial class HostBridge
{
    /// <summary><c>--connect</c>: keeps a session on the guest's socket (QEMU's chardev), reconnecting when it drops.</summary>
    private async Task ConnectGuestAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var link = new MuxLink(await UnixSocketDialer.ConnectAsync(_options.GuestPath, stopping));
                await RunSessionAsync(link, stopping);
                await Task.Delay(UnixSocketDialer.RetryInterval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary><c>--accept</c>: each connection the guest agent dials in replaces the session before it.</summary>
    private async Task AcceptGuestAsync(CancellationToken stopping)
    {
        await using var listener = new UnixSocketListener(_options.GuestPath);
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                Stream stream = await listener.AcceptAsync(stopping);
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(RunSessionAsync(new MuxLink(stream), stopping));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        await Task.WhenAll(sessions);
    }

    /// <summary>Starts a session on <paramref name="link"/>, makes it current, and returns when it has ended (disposing the link).</summary>
    private async Task RunSessionAsync(MuxLink link, CancellationToken stopping)
    {
        MuxSession session;
        try
        {
            session = await MuxSession.ConnectAsync(link, HandshakeTimeout, stopping);
        }
        catch (Exception e)
        {
            await link.DisposeAsync();
            if (e is IOException or SocketException or TimeoutException)
            {
                _log.Write($"guest session start failed: {e.Message}");
                return;
            }

            if (e is OperationCanceledException)
            {
                return;
            }

            throw;
        }

        _log.Write("guest session started");
        if (_slot.Replace(session) is { } previous)
        {
            await previous.DisposeAsync(); // the guest redialled: the old stream is stale
        }

        using (stopping.Register(() => _ = session.DisposeAsync().AsTask()))
        {
            await session.Completion;
        }

        _slot.Remove(session);
        _log.Write($"guest session ended: {session.EndReason?.Message}");
        await session.DisposeAsync();
    }
}
