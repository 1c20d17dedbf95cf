namespace Airlock.Guest.Exec;

/// <summary>A command that could not start, reported the way a shell would: exit 127 (not found) or 126 (not executable).</summary>
internal sealed record LaunchFailure(int ExitCode, string Message);
