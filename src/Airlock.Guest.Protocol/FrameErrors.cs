using System.Net.Sockets;

namespace Airlock.Guest.Protocol;

/// <summary>
/// How the host turns what the agent sent (or failed to send) into <see cref="AirlockException"/>s:
/// a malformed frame is the agent's bug or a compromised sandbox (Internal); a vanished connection
/// means the sandbox or its agent is gone (Unavailable).
/// </summary>
public static class FrameErrors
{
    public const string MalformedMessage = "guest agent sent a malformed frame";
    public const string NotAnsweringMessage = "the sandbox's guest agent is not answering";

    public static AirlockException Malformed(string detail, Exception? inner = null) =>
        new(AirlockErrorKind.Internal, MalformedMessage, new InvalidDataException(detail, inner));

    public static AirlockException Lost(string during, Exception? inner = null) =>
        AirlockException.Unavailable($"the sandbox's guest agent closed the connection during {during}", inner);

    /// <summary>Reads one frame; end of stream, I/O failures and malformed frames become <see cref="AirlockException"/>s.</summary>
    public static async ValueTask<Frame> ReadAsync(FrameConnection connection, string during, CancellationToken cancellationToken)
    {
        Frame? frame;
        try
        {
            frame = await connection.ReadFrameAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new AirlockException(AirlockErrorKind.Internal, MalformedMessage, e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw Lost(during, e);
        }

        return frame ?? throw Lost(during);
    }

    /// <summary>The exception an Error frame carries.</summary>
    public static AirlockException ToException(Frame frame)
    {
        try
        {
            return FrameConnection.ParseJson(frame, GuestJsonContext.Default.GuestError).ToException();
        }
        catch (InvalidDataException e)
        {
            return new AirlockException(AirlockErrorKind.Internal, MalformedMessage, e);
        }
    }

    /// <summary>Parses a Json frame into <typeparamref name="T"/>; an Error frame throws its exception.</summary>
    public static T Expect<T>(Frame frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        if (frame.Type == FrameType.Error)
        {
            throw ToException(frame);
        }

        if (frame.Type != FrameType.Json)
        {
            throw Malformed($"expected a Json frame, got {frame.Type}");
        }

        try
        {
            return FrameConnection.ParseJson(frame, typeInfo);
        }
        catch (InvalidDataException e)
        {
            throw new AirlockException(AirlockErrorKind.Internal, MalformedMessage, e);
        }
    }
}
