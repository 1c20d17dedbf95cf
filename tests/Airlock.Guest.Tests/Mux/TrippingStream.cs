namespace Airlock.Guest.Tests.Mux;

/// <summary>A read-only stream of zeros that runs an action once, after a given number of bytes was read.</summary>
internal sealed class TrippingStream(long length, long tripAfter, Action trip) : Stream
{
    private long _position;
    private bool _tripped;

    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!_tripped && _position >= tripAfter)
        {
            _tripped = true;
            trip();
        }

        int n = (int)Math.Min(buffer.Length, length - _position);
        buffer[..n].Clear();
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
