using System.Threading.Channels;

namespace Airlock.Guest.Protocol.Mux;

/// <summary>
/// Many channels over one <see cref="MuxLink"/> (format and rules: <see cref="MuxProtocol"/>). The opener
/// (the host bridge) creates channels with <see cref="OpenChannelAsync"/>; the acceptor (the guest agent)
/// takes them with <see cref="AcceptChannelAsync"/>. One read loop dispatches every frame and never waits
/// on a channel's reader, so a slow channel cannot stall the others. When the link ends or the peer breaks
/// the protocol, the session ends: every channel fails with <see cref="EndReason"/>, and the link is closed
/// (unless it outlives its peer: a serial port then carries the next session).
/// Start one with <see cref="ConnectAsync"/> or <see cref="AcceptAsync"/>.
/// </summary>
public sealed partial class MuxSession : IAsyncDisposable
{
    private readonly MuxLink _link;
    private readonly bool _isOpener;
    private readonly object _gate = new();
    private readonly Dictionary<uint, MuxChannelStream> _channels = [];
    // Unbounded, yet bounded by MaxChannels: an accepted channel counts as open until disposed.
    private readonly Channel<MuxChannelStream> _accepted = Channel.CreateUnbounded<MuxChannelStream>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private uint _lastId;
    private Exception? _endReason;

    private MuxSession(MuxLink link, bool isOpener)
    {
        _link = link;
        _isOpener = isOpener;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes (never faults) when the session has ended and its read loop no longer reads the link.</summary>
    public Task Completion => _readLoop;

    /// <summary>Why the session ended; null while it runs.</summary>
    public Exception? EndReason
    {
        get
        {
            lock (_gate)
            {
                return _endReason;
            }
        }
    }

    /// <summary>Opens a channel (opener side only). Fails with <see cref="IOException"/> once the session ended.</summary>
    public async Task<MuxChannelStream> OpenChannelAsync(CancellationToken cancellationToken = default)
    {
        if (!_isOpener)
        {
            throw new InvalidOperationException("only the side that started the session opens channels");
        }

        MuxChannelStream channel;
        lock (_gate)
        {
            ThrowIfEnded();
            if (_channels.Count >= MuxProtocol.MaxChannels || _lastId == uint.MaxValue)
            {
                // Ids are never reused (late frames of a closed channel must not reach a new one): after
                // 4 billion channels the session refuses more (restart the bridge for a fresh one).
                throw new IOException(_lastId == uint.MaxValue ? "the session used up its channel ids" : $"more than {MuxProtocol.MaxChannels} channels are open");
            }

            channel = new MuxChannelStream(this, ++_lastId);
            _channels.Add(channel.Id, channel);
        }

        try
        {
            await SendAsync(channel.Id, MuxFrameKind.Open, ReadOnlyMemory<byte>.Empty, cancellationToken);
            return channel;
        }
        catch
        {
            Forget(channel.Id);
            throw;
        }
    }

    /// <summary>Waits for the peer to open a channel (acceptor side). Fails with <see cref="IOException"/> once the session ended.</summary>
    public async Task<MuxChannelStream> AcceptChannelAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new IOException(EndReason?.Message ?? "the mux session ended", EndReason);
        }
    }

    /// <summary>Ends the session (every channel fails) and closes the link, unless the link outlives its peer.</summary>
    public async ValueTask DisposeAsync()
    {
        End(new IOException("the mux session was closed"));
        if (!_link.OutlivesPeer)
        {
            await _link.DisposeAsync();
            await _readLoop;
        }

        // A serial port's read cannot be interrupted: its loop ends with the next byte or end of stream.
    }

    internal async ValueTask SendAsync(uint channel, MuxFrameKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfEnded();
        }

        try
        {
            await _link.WriteFrameAsync(channel, kind, payload, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = new IOException("the mux stream failed: " + e.Message, e);
            End(reason);
            throw reason;
        }
    }

    /// <summary>For frames nobody can act on a failure of (credit, farewells): a dead session already failed every channel.</summary>
    internal async ValueTask TrySendAsync(uint channel, MuxFrameKind kind, ReadOnlyMemory<byte> payload)
    {
        try
        {
            await SendAsync(channel, kind, payload, CancellationToken.None);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A disposed channel leaves the table; frames still in flight for it are dropped.</summary>
    internal void Forget(uint channel)
    {
        lock (_gate)
        {
            _channels.Remove(channel);
        }
    }

    private void End(Exception reason)
    {
        MuxChannelStream[] channels;
        lock (_gate)
        {
            if (_endReason is not null)
            {
                return;
            }

            _endReason = reason;
            channels = [.. _channels.Values];
            _channels.Clear();
        }

        _accepted.Writer.TryComplete();
        while (_accepted.Reader.TryRead(out MuxChannelStream? unaccepted))
        {
            unaccepted.Fail(reason);
        }

        foreach (MuxChannelStream channel in channels)
        {
            channel.Fail(reason);
        }

        _stop.Cancel();
        if (!_link.OutlivesPeer)
        {
            // Closing tells the peer at once (it reads end of stream) instead of leaving it to time out.
            _ = _link.DisposeAsync().AsTask();
        }
    }

    private void ThrowIfEnded()
    {
        if (_endReason is not null)
        {
            throw new IOException(_endReason.Message, _endReason);
        }
    }
}
