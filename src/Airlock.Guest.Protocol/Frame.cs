namespace Airlock.Guest.Protocol;

/// <summary>
/// One received frame. <see cref="Payload"/> points into the reader's buffer and is valid only until
/// the next read on the same <see cref="FrameConnection"/>: copy it to keep it.
/// </summary>
public readonly record struct Frame(FrameType Type, ReadOnlyMemory<byte> Payload);
