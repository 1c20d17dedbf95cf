using System.IO.Pipelines;

namespace Airlock.Guest.Tests.Mux;

/// <summary>One end of an in-memory duplex byte stream; disposing it is the peer's end of stream.</summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly Stream _reader;
    private readonly Stream _writer;

    private DuplexPipeStream(Pipe incoming, Pipe outgoing)
    {
        _reader = incoming.Reader.AsStream();
        _writer = outgoing.Writer.AsStream();
    }

    public static (Stream A, Stream B) CreatePair()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        return (new DuplexPipeStream(bToA, aToB), new DuplexPipeStream(aToB, bToA));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _reader.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writer.WriteAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _reader.ReadAsync(buffer, offset, count, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _writer.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => _writer.Write(buffer, offset, count);

    public override void Flush() => _writer.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
            _reader.Dispose();
        }

        base.Dispose(disposing);
    }
}
