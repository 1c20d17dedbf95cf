namespace Airlock.Guest.Exec;

/// <summary>The most recent bytes of a background process's output stream; older bytes are dropped.</summary>
internal sealed class OutputRing
{
    public const int Capacity = 1024 * 1024;

    private readonly byte[] _buffer = new byte[Capacity];
    private readonly object _gate = new();
    private int _start;
    private int _count;

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (data.Length >= Capacity)
            {
                data[^Capacity..].CopyTo(_buffer);
                _start = 0;
                _count = Capacity;
                return;
            }

            int end = (_start + _count) % Capacity;
            int first = Math.Min(data.Length, Capacity - end);
            data[..first].CopyTo(_buffer.AsSpan(end));
            data[first..].CopyTo(_buffer);
            int overflow = Math.Max(0, _count + data.Length - Capacity);
            _start = (_start + overflow) % Capacity;
            _count = Math.Min(Capacity, _count + data.Length);
        }
    }

    public byte[] Snapshot()
    {
        lock (_gate)
        {
            byte[] copy = new byte[_count];
            int first = Math.Min(_count, Capacity - _start);
            _buffer.AsSpan(_start, first).CopyTo(copy);
            _buffer.AsSpan(0, _count - first).CopyTo(copy.AsSpan(first));
            return copy;
        }
    }
}
