namespace Airlock.Guest.Protocol.Mux;

/// <summary>
/// One channel of a <see cref="MuxSession"/>: a Stream that behaves like a unix socket connection.
/// Reads return the peer's bytes, 0 after the peer's Close, and fail once the peer reset the channel or
/// the session ended (after the bytes already received). <see cref="CompleteWritesAsync"/> half-closes.
/// Disposing closes gracefully when the peer has finished sending, and otherwise resets the channel, so
/// a peer still writing learns that nobody reads (as a write to a closed socket fails).
/// </summary>
public sealed partial class MuxChannelStream : Stream
{
    private readonly MuxSession _session;
    private readonly object _gate = new();
    private readonly AsyncSignal _readable = new();
    private readonly AsyncSignal _writable = new();
    private readonly Queue<byte[]> _received = new();
    private int _receivedOffset;
    private int _buffered;
    private int _consumedSinceCredit;
    private int _credit = MuxProtocol.Window;
    private bool _peerClosed;
    private bool _closedForWriting;
    private bool _disposed;
    private Exception? _failure;

    internal MuxChannelStream(MuxSession session, uint id)
    {
        _session = session;
        Id = id;
    }

    public uint Id { get; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            int read = 0, credit = 0;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                while (read < buffer.Length && _received.TryPeek(out byte[]? segment))
                {
                    int n = Math.Min(buffer.Length - read, segment.Length - _receivedOffset);
                    segment.AsSpan(_receivedOffset, n).CopyTo(buffer.Span[read..]);
                    read += n;
                    _receivedOffset += n;
                    if (_receivedOffset == segment.Length)
                    {
                        _received.Dequeue();
                        _receivedOffset = 0;
                    }
                }

                if (read > 0)
                {
                    _buffered -= read;
                    _consumedSinceCredit += read;

                    // Credit in batches (half a window): one Window frame per 128 KiB, not per read.
                    if (_consumedSinceCredit >= MuxProtocol.Window / 2 && !_peerClosed && _failure is null)
                    {
                        credit = _consumedSinceCredit;
                        _consumedSinceCredit = 0;
                    }
                }
                else if (_failure is not null)
                {
                    throw new IOException(_failure.Message, _failure);
                }
                else if (_peerClosed)
                {
                    return 0;
                }
            }

            if (read > 0)
            {
                if (credit > 0)
                {
                    // Not cancellable: lost credit would shrink the peer's window for good.
                    await _session.TrySendAsync(Id, MuxFrameKind.Window, BigEndian(credit));
                }

                return read;
            }

            await _readable.WaitAsync(cancellationToken);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int n = await TakeCreditAsync(buffer.Length, cancellationToken);
            try
            {
                await _session.SendAsync(Id, MuxFrameKind.Data, buffer[..n], cancellationToken);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _credit += n; // the frame was not sent
                }

                throw;
            }

            buffer = buffer[n..];
        }
    }

    /// <summary>Half-closes: the peer reads end of stream once it has read everything sent before.</summary>
    public async Task CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closedForWriting || _failure is not null)
            {
                return;
            }

            _closedForWriting = true;
        }

        await _session.SendAsync(Id, MuxFrameKind.Close, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        MuxFrameKind? farewell = Retire();
        if (farewell is { } kind)
        {
            await _session.TrySendAsync(Id, kind, ReadOnlyMemory<byte>.Empty);
        }

        await base.DisposeAsync(); // Dispose(true): nothing more to send, leaves the session's table
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (Retire() is { } kind)
            {
                _ = _session.TrySendAsync(Id, kind, ReadOnlyMemory<byte>.Empty).AsTask();
            }

            _session.Forget(Id);
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> TakeCreditAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_failure is not null)
                {
                    throw new IOException(_failure.Message, _failure);
                }

                if (_closedForWriting)
                {
                    throw new IOException("the channel was closed for writing");
                }

                if (_credit > 0)
                {
                    int n = Math.Min(Math.Min(wanted, _credit), MuxProtocol.MaxPayload);
                    _credit -= n;
                    return n;
                }
            }

            await _writable.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Marks the channel disposed; returns the frame that tells the peer, if one is due.</summary>
    private MuxFrameKind? Retire()
    {
        MuxFrameKind? farewell;
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            _received.Clear();
            farewell = _failure is not null ? null
                : !_peerClosed ? MuxFrameKind.Reset
                : !_closedForWriting ? MuxFrameKind.Close
                : null;
        }

        _readable.Set();
        _writable.Set();
        return farewell;
    }

    private static byte[] BigEndian(int value)
    {
        byte[] bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
