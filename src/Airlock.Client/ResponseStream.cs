namespace Airlock.Client;

/// <summary>A response body handed to the caller unbuffered; disposing it releases the response and its connection.</summary>
internal sealed class ResponseStream(Stream inner, HttpResponseMessage response, HttpRequestMessage request) : ReadOnlyStream
{
    public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
        inner.CopyToAsync(destination, bufferSize, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
            request.Dispose();
        }

        base.Dispose(disposing);
    }
}
