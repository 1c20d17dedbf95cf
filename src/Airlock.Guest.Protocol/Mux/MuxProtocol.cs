using System.Buffers.Binary;

namespace Airlock.Guest.Protocol.Mux;

/// <summary>
/// Carries many per-operation byte streams ("channels") over one byte stream: the single
/// virtio-serial port of a microVM, or the one connection a gVisor agent dials out on.
/// <para>
/// <b>Frames.</b> <c>[u32 channel id][u8 kind][u32 payload length][payload]</c>, integers big-endian,
/// payload at most <see cref="MaxPayload"/> bytes. Kinds: <see cref="MuxFrameKind"/>.
/// </para>
/// <para>
/// <b>Session start.</b> The opener (the host bridge) writes <see cref="HelloFiller"/> zero bytes and then
/// <c>Hello(channel 0, magic + 16-byte nonce)</c>; the acceptor (the agent) skips everything up to the
/// magic and answers with the same Hello; the opener skips everything up to that answer. The filler
/// matters on a serial port, whose byte stream outlives a host connection: an agent left half way through
/// a frame of an old session has that frame completed by zeros, then reads a zero kind (a protocol
/// violation), drops the old session and finds the new Hello. Every other stream is fresh, and the filler
/// is merely skipped.
/// </para>
/// <para>
/// <b>Flow control.</b> Each side may have at most <see cref="Window"/> unconsumed bytes in flight per channel;
/// the receiver returns credit with Window frames as its reader consumes. One busy channel therefore neither
/// grows the peer's memory nor blocks the other channels, and the frame writer takes turns (FIFO).
/// </para>
/// <para>
/// <b>Violations</b> (unknown kind, oversized or mis-sized payload, a channel that was never opened, Data beyond
/// the window, credit beyond the window, Open from the acceptor) end the whole session: every channel fails.
/// Frames for a channel this side already closed are dropped: they may have been in flight.
/// </para>
/// </summary>
public static class MuxProtocol
{
    public const int HeaderSize = 9;

    /// <summary>Largest payload of one frame: small enough that a busy channel holds the writer only briefly.</summary>
    public const int MaxPayload = 64 * 1024;

    /// <summary>Per-channel receive window: bytes a sender may have unconsumed at the receiver.</summary>
    public const int Window = 256 * 1024;

    /// <summary>Open channels a session allows at once (bounds the memory a peer can make us hold).</summary>
    public const int MaxChannels = 1024;

    /// <summary>Zero bytes before the opener's Hello: one whole frame, to flush out a half-read one.</summary>
    public const int HelloFiller = HeaderSize + MaxPayload;

    public const int NonceSize = 16;

    /// <summary>Identifies the mux and its version; a new version gets new magic.</summary>
    public static ReadOnlySpan<byte> Magic => "AIRLKMX1"u8;

    /// <summary>The bytes of a Hello frame up to its nonce: what an acceptor scans for.</summary>
    public static byte[] HelloPrefix()
    {
        byte[] prefix = new byte[HeaderSize + 8];
        WriteHeader(prefix, 0, MuxFrameKind.Hello, Magic.Length + NonceSize);
        Magic.CopyTo(prefix.AsSpan(HeaderSize));
        return prefix;
    }

    /// <summary>A whole Hello frame carrying <paramref name="nonce"/>.</summary>
    public static byte[] Hello(ReadOnlySpan<byte> nonce)
    {
        byte[] prefix = HelloPrefix();
        return [.. prefix, .. nonce];
    }

    public static void WriteHeader(Span<byte> destination, uint channel, MuxFrameKind kind, int length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, channel);
        destination[4] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)length);
    }
}
