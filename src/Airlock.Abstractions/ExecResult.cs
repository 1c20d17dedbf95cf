namespace Airlock;

/// <summary>How a command ended.</summary>
public sealed record ExecResult
{
    /// <summary>The command's exit code; 128+N when a signal ended it, 137 for a limit kill, 124 for a timeout.</summary>
    public required int ExitCode { get; init; }

    /// <summary>The signal that ended it, if any.</summary>
    public int? Signal { get; init; }

    /// <summary>The limit that ended it: <see cref="Limits.Memory"/>, <see cref="Limits.Timeout"/> or <see cref="Limits.Pids"/>; null otherwise.</summary>
    public string? KilledBy { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Names of the limits a command may be killed for, as reported in <see cref="KilledBy"/>.</summary>
    public static class Limits
    {
        public const string Memory = "memory";
        public const string Timeout = "timeout";
        public const string Pids = "pids";
    }
}

/// <summary>The collected output of a finished command.</summary>
public sealed record ExecOutcome(ExecResult Result, byte[] Stdout, byte[] Stderr)
{
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);

    public string StderrText => System.Text.Encoding.UTF8.GetString(Stderr);

    public int ExitCode => Result.ExitCode;
}
