using System.Buffers.Binary;

namespace Airlock.Guest.Protocol.Mux;

public sealed partial class MuxSession
{
    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (await ReadFrameAsync(_stop.Token))
            {
            }

            reason = new IOException("the mux stream ended");
        }
        catch (InvalidDataException e)
        {
            reason = new IOException("mux protocol violation: " + e.Message, e);
        }
        catch (OperationCanceledException)
        {
            reason = new IOException("the mux session was closed");
        }
        catch (Exception e)
        {
            reason = new IOException("the mux stream failed: " + e.Message, e);
        }

        End(reason);
    }

    /// <summary>Reads and dispatches one frame; false at a clean end of stream. Throws <see cref="InvalidDataException"/> on a violation.</summary>
    private async ValueTask<bool> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await _link.FillAsync(MuxProtocol.HeaderSize, cancellationToken))
        {
            return _link.Buffered.IsEmpty ? false : throw new InvalidDataException("the stream ended inside a frame header");
        }

        uint id = BinaryPrimitives.ReadUInt32BigEndian(_link.Buffered);
        var kind = (MuxFrameKind)_link.Buffered[4];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(_link.Buffered[5..]);

        // Validate the header before waiting for the payload: the length is checked before it sizes anything.
        int expected = kind switch
        {
            MuxFrameKind.Open or MuxFrameKind.Close or MuxFrameKind.Reset => 0,
            MuxFrameKind.Window => 4,
            MuxFrameKind.Data => -1,
            _ => throw new InvalidDataException($"frame kind {(byte)kind} is not allowed in a session"),
        };
        if (length > MuxProtocol.MaxPayload || (expected >= 0 && length != expected))
        {
            throw new InvalidDataException($"a {kind} frame of {length} bytes");
        }

        int total = MuxProtocol.HeaderSize + (int)length;
        if (!await _link.FillAsync(total, cancellationToken))
        {
            throw new InvalidDataException("the stream ended inside a frame payload");
        }

        Dispatch(id, kind, _link.Buffered[MuxProtocol.HeaderSize..total]);
        _link.Consume(total);
        return true;
    }

    private void Dispatch(uint id, MuxFrameKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind == MuxFrameKind.Open)
        {
            Accept(id);
            return;
        }

        MuxChannelStream? channel;
        lock (_gate)
        {
            if (!_channels.TryGetValue(id, out channel))
            {
                // Ids only grow: one at or below the last opened was ours and is closed; anything else never existed.
                if (id == 0 || id > _lastId)
                {
                    throw new InvalidDataException($"a {kind} frame for channel {id}, which was never opened");
                }

                return;
            }
        }

        bool valid = kind switch
        {
            MuxFrameKind.Data => channel.OnData(payload),
            MuxFrameKind.Close => channel.OnClose(),
            MuxFrameKind.Window => channel.OnWindow(BinaryPrimitives.ReadUInt32BigEndian(payload)),
            _ => Reset(channel),
        };
        if (!valid)
        {
            throw new InvalidDataException($"a {kind} frame on channel {id} breaks its flow control or close order");
        }
    }

    private void Accept(uint id)
    {
        if (_isOpener)
        {
            throw new InvalidDataException("the accepting side may not open channels");
        }

        MuxChannelStream channel;
        lock (_gate)
        {
            if (id <= _lastId)
            {
                throw new InvalidDataException($"channel {id} opened out of order (last was {_lastId})");
            }

            if (_channels.Count >= MuxProtocol.MaxChannels)
            {
                throw new InvalidDataException($"more than {MuxProtocol.MaxChannels} channels opened");
            }

            _lastId = id;
            channel = new MuxChannelStream(this, id);
            _channels.Add(id, channel);
        }

        _accepted.Writer.TryWrite(channel);
    }

    private static bool Reset(MuxChannelStream channel)
    {
        channel.Fail(new IOException("the peer reset the channel"));
        return true;
    }
}
