namespace Airlock.Client;

/// <summary>A read-only stream over a source of chunks (an empty one is the end), keeping what a small read left.</summary>
internal sealed class MessageReadStream(Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>> next) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;

    public override long Length => throw new NotSupportedException();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (_pending.IsEmpty)
        {
            if (_ended) return 0;
            _pending = await next(cancellationToken);
            if (_pending.IsEmpty)
            {
                _ended = true;
                return 0;
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
}
