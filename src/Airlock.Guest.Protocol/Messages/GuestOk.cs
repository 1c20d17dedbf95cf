namespace Airlock.Guest.Protocol;

/// <summary>An acknowledgement without data: <c>{"ok":true}</c>.</summary>
public sealed record GuestOk(bool Ok = true)
{
    public static GuestOk Instance { get; } = new();
}
