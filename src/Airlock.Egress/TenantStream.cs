namespace Airlock.Egress;

/// <summary>
/// The sandbox's side of a connection: every byte read (up) or written (down) is counted for the audit record and the
/// quota, and paid for from the tenant's buckets. Wrapping the client side once covers tunnels and inspected requests.
/// </summary>
internal sealed class TenantStream(Stream inner, TenantState tenant) : Stream
{
    private long _up;
    private long _down;

    public long BytesUp => Interlocked.Read(ref _up);

    /// <summary>Set for the few bytes of a refusal (a request head read, a 403 written) once the quota is spent.</summary>
    public bool Exempt { get; set; }

    public long BytesDown => Interlocked.Read(ref _down);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Exempt && tenant.Up is { } bucket && buffer.Length > bucket.Chunk) buffer = buffer[..bucket.Chunk];
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n == 0) return 0;
        Interlocked.Add(ref _up, n);
        Charge(n);
        if (!Exempt && tenant.Up is { } up) await up.TakeAsync(n, cancellationToken);
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var chunk = !Exempt && tenant.Down is { } bucket ? buffer[..Math.Min(buffer.Length, bucket.Chunk)] : buffer;
            if (!Exempt && tenant.Down is { } down) await down.TakeAsync(chunk.Length, cancellationToken);
            Charge(chunk.Length);
            await inner.WriteAsync(chunk, cancellationToken);
            Interlocked.Add(ref _down, chunk.Length);
            buffer = buffer[chunk.Length..];
        }
    }

    private void Charge(int bytes)
    {
        if (Exempt) return;
        if (!tenant.Spend(bytes)) throw new EgressRefusedException("quota", "the sandbox's egress quota (QuotaBytes) is spent");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
