using System.Text;

namespace Airlock.Egress;

/// <summary>
/// A read buffer in front of a stream, so the gateway can look at the first bytes (a TLS ClientHello, an HTTP head)
/// and still hand every byte on: reads drain the buffer before touching the inner stream.
/// </summary>
internal sealed class PeekStream(Stream inner) : Stream
{
    /// <summary>Longest request head accepted; a longer one is refused rather than buffered without end.</summary>
    public const int MaxHead = 64 * 1024;

    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public Stream Inner => inner;

    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Reads until at least <paramref name="count"/> bytes are buffered; false on end of stream first.</summary>
    public async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_buffer.Length - _start < count)
            {
                var bigger = new byte[Math.Max(count, _buffer.Length * 2)];
                Buffered.CopyTo(bigger);
                _end -= _start;
                _start = 0;
                _buffer = bigger;
            }

            var n = await inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0) return false;
            _end += n;
        }

        return true;
    }

    /// <summary>Buffers bytes up to and including the blank line that ends an HTTP head, and takes them; null on EOF first.</summary>
    public async ValueTask<string?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var at = Buffered[Math.Max(0, scanned - 3)..].IndexOf("\r\n\r\n"u8);
            if (at >= 0)
            {
                var length = Math.Max(0, scanned - 3) + at + 4;
                var head = Encoding.Latin1.GetString(Buffered[..length]);
                _start += length;
                return head;
            }

            scanned = _end - _start;
            if (scanned >= MaxHead) throw new EgressRefusedException("malformed", $"request head longer than {MaxHead} bytes");
            if (!await FillAsync(scanned + 1, cancellationToken)) return null;
        }
    }

    /// <summary>Takes exactly <paramref name="count"/> bytes; false on EOF first.</summary>
    public async ValueTask<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        if (!await FillAsync(count, cancellationToken)) return null;
        var bytes = Buffered[..count].ToArray();
        _start += count;
        return bytes;
    }

    /// <summary>Takes one CRLF-terminated line (chunked encoding); null on EOF first.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = Buffered.IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = Encoding.Latin1.GetString(Buffered[..at]);
                _start += at + 2;
                return line;
            }

            if (_end - _start >= MaxHead) throw new EgressRefusedException("malformed", "line too long in request body framing");
            if (!await FillAsync(_end - _start + 1, cancellationToken)) return null;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_end > _start)
        {
            var n = Math.Min(buffer.Length, _end - _start);
            Buffered[..n].CopyTo(buffer.Span);
            _start += n;
            return n;
        }

        return await inner.ReadAsync(buffer, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
