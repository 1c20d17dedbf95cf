namespace Airlock.Guest.Protocol;

/// <summary>The payload of an Error frame.</summary>
public sealed record GuestError(AirlockErrorKind Kind, string Message)
{
    public AirlockException ToException() => new(Kind, Message);
}
