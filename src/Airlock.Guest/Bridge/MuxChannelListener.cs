using System.Net.Sockets;
using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Bridge;

/// <summary>
/// The agent's side of a multiplexed transport (<c>--serial</c>, <c>--dial</c>): accepts mux channels and
/// hands each out as one operation's stream. When a session ends (host bridge gone, protocol broken) its
/// channels fail, which ends their operations as a dropped connection would (an exec is killed); the
/// listener then waits for the next session: on a serial port on the same device, for a dialled socket on
/// a new connection.
/// </summary>
internal sealed class MuxChannelListener : IStreamListener
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    private readonly Func<CancellationToken, Task<(MuxLink Link, bool IsDevice)>> _open;
    private readonly string _endpoint;
    private readonly AgentLog _log;
    private MuxLink? _link;
    private bool _linkIsDevice;
    private MuxSession? _session;

    private MuxChannelListener(Func<CancellationToken, Task<(MuxLink, bool)>> open, string endpoint, AgentLog log)
    {
        _open = open;
        _endpoint = endpoint;
        _log = log;
    }

    /// <summary>A character device (virtio-serial port), or a unix socket standing in for one.</summary>
    public static MuxChannelListener Serial(string path, AgentLog log) => new(ct => OpenSerialAsync(path, ct), path, log);

    /// <summary>A host unix socket the agent connects out to, redialling whenever it drops.</summary>
    public static MuxChannelListener Dial(string path, AgentLog log) =>
        new(async ct => (new MuxLink(await UnixSocketDialer.ConnectAsync(path, ct)), false), path, log);

    /// <summary>Only one caller at a time (the agent's accept loop).</summary>
    public async Task<Stream> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _session ??= await StartSessionAsync(cancellationToken);
            try
            {
                return await _session.AcceptChannelAsync(cancellationToken);
            }
            catch (IOException e)
            {
                _log.Write($"mux session on {_endpoint} ended: {e.Message}");
                await EndSessionAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_link is not null)
        {
            await _link.DisposeAsync();
        }
    }

    private async Task<MuxSession> StartSessionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (_link is null)
                {
                    (_link, _linkIsDevice) = await _open(cancellationToken);
                }

                if (await MuxSession.AcceptAsync(_link, cancellationToken) is { } session)
                {
                    _log.Write($"mux session on {_endpoint} started");
                    return session;
                }

                // End of stream before a session start. A serial device reads that while no host is
                // connected, and is read again; a socket's end is final, so connect anew.
                if (!_linkIsDevice)
                {
                    await DropLinkAsync();
                }
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
            {
                _log.Write($"cannot use {_endpoint}: {e.Message}");
                await DropLinkAsync();
            }

            await Task.Delay(RetryInterval, cancellationToken);
        }
    }

    private async Task EndSessionAsync()
    {
        MuxSession session = _session!;
        _session = null;
        if (_link!.OutlivesPeer)
        {
            // The next handshake scans the same stream: wait until the old read loop stopped reading it.
            await session.Completion;
        }
        else
        {
            await session.DisposeAsync();
            await DropLinkAsync();
        }
    }

    private async Task DropLinkAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync();
            _link = null;
        }
    }

    private static async Task<(MuxLink, bool IsDevice)> OpenSerialAsync(string path, CancellationToken cancellationToken)
    {
        const int ENXIO = 6;
        try
        {
            var device = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);

            // Unbuffered: a frame must reach the port when written, not when a buffer fills.
            return (new MuxLink(new FileStream(device, FileAccess.ReadWrite, bufferSize: 0), outlivesPeer: true), true);
        }
        catch (IOException e) when (e.HResult == ENXIO)
        {
            // open(2) of a unix socket fails with ENXIO: a socket standing in for the port (tests, or a
            // hypervisor exposing the port as a socket). Like the port, it carries one session after another.
            return (new MuxLink(await UnixSocketDialer.ConnectAsync(path, cancellationToken), outlivesPeer: true), false);
        }
    }
}
