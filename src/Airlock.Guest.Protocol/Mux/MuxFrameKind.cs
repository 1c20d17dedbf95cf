namespace Airlock.Guest.Protocol.Mux;

/// <summary>The kind byte of a mux frame. See <see cref="MuxProtocol"/> for what each carries.</summary>
public enum MuxFrameKind : byte
{
    /// <summary>Channel 0 only: starts a session (opener) or answers that start (acceptor). Payload: magic + nonce.</summary>
    Hello = 1,

    /// <summary>The opener creates a channel. Empty payload; ids strictly increase, so one is never reused.</summary>
    Open = 2,

    /// <summary>Channel bytes, at most the receiver's remaining window.</summary>
    Data = 3,

    /// <summary>The sender will send no more Data on this channel (a half-close, like shutdown(SHUT_WR)).</summary>
    Close = 4,

    /// <summary>The sender abandoned the channel: it reads nothing more and its peer's writes must fail.</summary>
    Reset = 5,

    /// <summary>The receiver consumed bytes: payload is a big-endian u32 credit the sender may send again.</summary>
    Window = 6,
}
