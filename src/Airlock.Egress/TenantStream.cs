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
        var n = await inner.ReadAsync(buffer[..UpChunk(buffer.Length)], cancellationToken);
        if (n == 0) return 0;
        await ReceivedAsync(n, cancellationToken);
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var chunk = buffer[..DownChunk(buffer.Length)];
            await SendingAsync(chunk.Length, cancellationToken);
            await inner.WriteAsync(chunk, cancellationToken);
            Sent(chunk.Length);
            buffer = buffer[chunk.Length..];
        }
    }

    /// <summary>Whether the sandbox's download (<paramref name="down"/>) or upload rate is limited.</summary>
    public bool RateLimited(bool down) => (down ? tenant.Down : tenant.Up) is not null;

    /// <summary>The most to take from the sandbox at once: <paramref name="max"/>, or less when its upload rate is limited.</summary>
    private int UpChunk(int max) => !Exempt && tenant.Up is { } bucket ? Math.Min(max, bucket.Chunk) : max;

    /// <summary>The most to hand the sandbox at once: <paramref name="max"/>, or less when its download rate is limited.</summary>
    private int DownChunk(int max) => !Exempt && tenant.Down is { } bucket ? Math.Min(max, bucket.Chunk) : max;

    /// <summary>
    /// Bytes read from the sandbox: counted, charged against the quota (which throws once spent, before they go on) and
    /// paid for from the upload bucket.
    /// </summary>
    private async ValueTask ReceivedAsync(int bytes, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _up, bytes);
        Charge(bytes);
        if (!Exempt && tenant.Up is { } up) await up.TakeAsync(bytes, cancellationToken);
    }

    /// <summary>Before bytes go to the sandbox: paid for from the download bucket and charged against the quota (which throws once spent).</summary>
    private async ValueTask SendingAsync(int bytes, CancellationToken cancellationToken)
    {
        if (!Exempt && tenant.Down is { } down) await down.TakeAsync(bytes, cancellationToken);
        Charge(bytes);
    }

    /// <summary>Bytes the sandbox's socket has accepted: what the audit record's bytes_down counts.</summary>
    private void Sent(int bytes) => Interlocked.Add(ref _down, bytes);

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
