using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Guest.Protocol;

/// <summary>
/// The framing layer, and the only place that knows the byte layout of a frame. Reads validate
/// every header (known type, length within the cap) before allocating, so a hostile peer costs at
/// most one <see cref="GuestProtocol.MaxFramePayload"/> buffer. Writes are serialised, so output
/// pumps may share one connection. Disposing closes the underlying stream.
/// </summary>
public sealed class FrameConnection : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxPayload;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _header = new byte[GuestProtocol.HeaderSize];
    private byte[] _readBuffer = new byte[16 * 1024];
    private int _disposed;

    public FrameConnection(Stream stream, int maxPayload = GuestProtocol.MaxFramePayload)
    {
        _stream = stream;
        _maxPayload = maxPayload;
    }

    /// <summary>
    /// Reads the next frame, or null when the peer closed the stream cleanly between frames.
    /// Throws <see cref="InvalidDataException"/> for a malformed frame or a stream cut inside a frame.
    /// </summary>
    public async ValueTask<Frame?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        int got = await ReadFullyAsync(_header, cancellationToken);
        if (got == 0)
        {
            return null;
        }

        if (got < GuestProtocol.HeaderSize)
        {
            throw new InvalidDataException("the stream ended inside a frame header");
        }

        var type = (FrameType)_header[0];
        if (!Enum.IsDefined(type))
        {
            throw new InvalidDataException($"unknown frame type {_header[0]}");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
        if (length > (uint)_maxPayload)
        {
            throw new InvalidDataException($"frame of {length} bytes exceeds the {_maxPayload}-byte limit");
        }

        if (_readBuffer.Length < length)
        {
            _readBuffer = new byte[Math.Max(length, Math.Min(_readBuffer.Length * 2L, _maxPayload))];
        }

        var payload = _readBuffer.AsMemory(0, (int)length);
        if (await ReadFullyAsync(payload, cancellationToken) < length)
        {
            throw new InvalidDataException("the stream ended inside a frame payload");
        }

        return new Frame(type, payload);
    }

    public async ValueTask WriteFrameAsync(FrameType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (payload.Length > _maxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), "frame payload exceeds the protocol limit");
        }

        int total = GuestProtocol.HeaderSize + payload.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            buffer[0] = (byte)type;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)payload.Length);
            payload.Span.CopyTo(buffer.AsSpan(GuestProtocol.HeaderSize));
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                // One write per frame: a frame is never interleaved with another writer's.
                await _stream.WriteAsync(buffer.AsMemory(0, total), cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public ValueTask WriteJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(FrameType.Json, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);

    public ValueTask WriteErrorAsync(AirlockErrorKind kind, string message, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(FrameType.Error, JsonSerializer.SerializeToUtf8Bytes(new GuestError(kind, message), GuestJsonContext.Default.GuestError), cancellationToken);

    /// <summary>Parses a Json or Error frame's payload; <see cref="InvalidDataException"/> when it is not valid for <typeparamref name="T"/>.</summary>
    public static T ParseJson<T>(Frame frame, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(frame.Payload.Span, typeInfo)
                ?? throw new InvalidDataException("a JSON frame held null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("a JSON frame could not be parsed: " + e.Message, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stream.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stream.Dispose();
        }
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await _stream.ReadAsync(buffer[total..], cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
