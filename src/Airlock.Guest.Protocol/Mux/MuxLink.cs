using System.Buffers;

namespace Airlock.Guest.Protocol.Mux;

/// <summary>
/// The one byte stream under a mux: buffered reads for the session's read loop (and for the handshake's
/// scans, which must not read past what they consume) and whole-frame writes under one FIFO lock.
/// A link can outlive a session: a serial port carries one session after another.
/// </summary>
public sealed class MuxLink : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[2 * (MuxProtocol.HeaderSize + MuxProtocol.MaxPayload)];
    private int _start;
    private int _end;
    private int _disposed;

    /// <param name="stream">Read and written concurrently (one reader, one writer at a time); owned by the link.</param>
    /// <param name="outlivesPeer">
    /// True when the stream carries one session after another (a serial port, which outlives every host
    /// connection): a session that ends leaves it open, and the next one starts where the last stopped reading.
    /// </param>
    public MuxLink(Stream stream, bool outlivesPeer = false)
    {
        _stream = stream;
        OutlivesPeer = outlivesPeer;
    }

    public bool OutlivesPeer { get; }

    /// <summary>Bytes read but not yet consumed.</summary>
    internal ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    internal void Consume(int count) => _start += count;

    /// <summary>Buffers at least <paramref name="count"/> bytes; false when the stream ends first.</summary>
    internal async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_buffer.Length - _start < count)
            {
                // Compact: a whole frame always fits, because the buffer holds two.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            _end += n;
        }

        return true;
    }

    /// <summary>
    /// Discards bytes up to and including the first occurrence of <paramref name="pattern"/>; false when the
    /// stream ends first. Memory stays bounded however much is skipped.
    /// </summary>
    internal async ValueTask<bool> SkipPastAsync(byte[] pattern, CancellationToken cancellationToken)
    {
        while (true)
        {
            int at = Buffered.IndexOf(pattern);
            if (at >= 0)
            {
                Consume(at + pattern.Length);
                return true;
            }

            // Keep a tail that may be the start of the pattern.
            Consume(Math.Max(0, _end - _start - (pattern.Length - 1)));
            if (!await FillAsync(_end - _start + 1, cancellationToken))
            {
                return false;
            }
        }
    }

    /// <summary>Writes one frame whole. Only waiting for the lock can be cancelled: a half-written frame would corrupt the stream.</summary>
    internal async ValueTask WriteFrameAsync(uint channel, MuxFrameKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        int total = MuxProtocol.HeaderSize + payload.Length;
        byte[] frame = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            MuxProtocol.WriteHeader(frame, channel, kind, payload.Length);
            payload.Span.CopyTo(frame.AsSpan(MuxProtocol.HeaderSize));
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                await _stream.WriteAsync(frame.AsMemory(0, total), CancellationToken.None);
                await _stream.FlushAsync(CancellationToken.None);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Writes bytes outside any session (the handshake); cancelling may leave them half written.</summary>
    internal async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stream.DisposeAsync();
        }
    }
}
