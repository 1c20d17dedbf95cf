namespace Airlock.Guest.Protocol;

/// <summary>
/// A read-only stream over Data frames, ending at the End frame. It reads one frame at a time, so a
/// 50 MB file never sits in memory. An Error frame surfaces as the peer's <see cref="AirlockException"/>;
/// a stream cut before End is an error, never a silently short file. Disposing closes the connection.
/// </summary>
public sealed class DataFrameReadStream : Stream
{
    private readonly FrameConnection _connection;
    private readonly bool _ownsConnection;
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;

    public DataFrameReadStream(FrameConnection connection, bool ownsConnection = true)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (_ended || buffer.IsEmpty)
            {
                return 0;
            }

            Frame frame = await FrameErrors.ReadAsync(_connection, "the data stream", cancellationToken);
            switch (frame.Type)
            {
                case FrameType.Data:
                    _pending = frame.Payload;
                    break;
                case FrameType.End:
                    _ended = true;
                    return 0;
                case FrameType.Error:
                    throw FrameErrors.ToException(frame);
                default:
                    throw FrameErrors.Malformed($"a {frame.Type} frame inside a data stream");
            }
        }

        int n = Math.Min(buffer.Length, _pending.Length);
        _pending[..n].CopyTo(buffer);
        _pending = _pending[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _connection.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsConnection)
        {
            _connection.Dispose();
        }

        base.Dispose(disposing);
    }
}
