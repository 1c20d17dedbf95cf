namespace Airlock.Guest.Protocol;

/// <summary>
/// A write-only stream that sends what is written as Data frames of at most
/// <see cref="GuestProtocol.DataChunkSize"/> bytes. It does not send End (the operation decides when
/// the data is over) and does not own the connection. Wrap it in a <see cref="BufferedStream"/> when
/// the writer produces small pieces (a tar writer's 512-byte headers).
/// </summary>
public sealed class DataFrameWriteStream : Stream
{
    private readonly FrameConnection _connection;
    private readonly FrameType _type;

    /// <param name="type">The frame type to send: Data, or Stdin for a terminal's keystrokes.</param>
    public DataFrameWriteStream(FrameConnection connection, FrameType type = FrameType.Data)
    {
        _connection = connection;
        _type = type;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, GuestProtocol.DataChunkSize);
            await _connection.WriteFrameAsync(_type, buffer[..n], cancellationToken);
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
