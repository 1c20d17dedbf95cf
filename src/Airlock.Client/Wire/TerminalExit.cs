namespace Airlock.Client.Wire;

/// <summary>The last text message of a terminal WebSocket before the daemon closes it: <c>{"exitCode":N}</c>.</summary>
internal sealed record TerminalExit(int ExitCode);
