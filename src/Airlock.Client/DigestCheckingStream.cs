using System.Security.Cryptography;

namespace Airlock.Client;

/// <summary>
/// Hashes an artifact download as it is read and throws at its end when the bytes are not the ones the
/// digest names: the daemon checked them before sending, this checks the way between (proxies, caches).
/// </summary>
internal sealed class DigestCheckingStream(Stream inner, string digest) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override long Length => inner.Length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Seen(buffer, inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Seen(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            _hash.AppendData(buffer[..read]);
            return read;
        }

        if (!_checked && buffer.Length > 0)
        {
            _checked = true;
            var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (actual != digest)
            {
                throw AirlockException.Conflict($"artifact {digest} failed verification on arrival: the bytes received hash to {actual}; do not use them");
            }
        }

        return 0;
    }
}
