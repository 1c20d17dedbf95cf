namespace Airlock.Guest.Protocol;

/// <summary>The last frame of an exec: how the command ended.</summary>
public sealed record GuestExit(int ExitCode, int? Signal, string? KilledBy, long DurationMs);
