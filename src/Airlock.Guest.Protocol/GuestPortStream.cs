namespace Airlock.Guest.Protocol;

/// <summary>
/// The host's end of a <c>port.connect</c> operation: a duplex stream whose bytes travel as Data frames to and from
/// a TCP connection the agent holds inside the sandbox. Reading ends at the agent's End (the server closed its side).
/// Disposing closes the operation, and the agent closes the socket.
/// </summary>
public sealed class GuestPortStream : Stream
{
    private readonly FrameConnection _connection;
    private readonly DataFrameReadStream _reader;
    private readonly DataFrameWriteStream _writer;

    internal GuestPortStream(FrameConnection connection)
    {
        _connection = connection;
        _reader = new DataFrameReadStream(connection, ownsConnection: false);
        _writer = new DataFrameWriteStream(connection);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Half-closes: the server inside reads end-of-file, and may still answer.</summary>
    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default) =>
        _connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, cancellationToken);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _connection.Dispose();
        base.Dispose(disposing);
    }
}
