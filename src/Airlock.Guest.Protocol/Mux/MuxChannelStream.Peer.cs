namespace Airlock.Guest.Protocol.Mux;

// What the session's read loop delivers. None of these wait: the read loop must never block on a channel.
public sealed partial class MuxChannelStream
{
    /// <summary>The session's read loop delivers a Data frame; false when it exceeds the window (a violation).</summary>
    internal bool OnData(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_peerClosed || _buffered + payload.Length > MuxProtocol.Window)
            {
                return false;
            }

            if (_disposed || payload.IsEmpty)
            {
                // Empty frames are not queued: a flood of them would grow the queue without touching the window.
                return true;
            }

            _received.Enqueue(payload.ToArray());
            _buffered += payload.Length;
        }

        _readable.Set();
        return true;
    }

    /// <summary>False for a second Close (a violation).</summary>
    internal bool OnClose()
    {
        lock (_gate)
        {
            if (_peerClosed)
            {
                return false;
            }

            _peerClosed = true;
        }

        _readable.Set();
        return true;
    }

    /// <summary>False when the credit would exceed the window: the peer returned bytes we never sent.</summary>
    internal bool OnWindow(uint credit)
    {
        lock (_gate)
        {
            if (credit == 0 || _credit + (long)credit > MuxProtocol.Window)
            {
                return false;
            }

            _credit += (int)credit;
        }

        _writable.Set();
        return true;
    }

    /// <summary>The peer reset the channel, or the session ended: pending and later reads and writes fail.</summary>
    internal void Fail(Exception reason)
    {
        lock (_gate)
        {
            _failure ??= reason;
        }

        _readable.Set();
        _writable.Set();
    }
}
