namespace Airlock.Guest.Protocol;

/// <summary>Host to agent during <c>pty.open</c>: the terminal's new size.</summary>
public sealed record GuestResize(int Cols, int Rows);
