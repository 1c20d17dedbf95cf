namespace Airlock.Cli.Infrastructure;

/// <summary>The exit codes of <c>airlock</c> itself; <c>run</c> and <c>exec</c> otherwise exit with the command's code.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Host or daemon failure (Unavailable, Internal, anything unexpected).</summary>
    public const int Failure = 1;

    /// <summary>The caller's mistake: bad flag or value, unknown sandbox, wrong state.</summary>
    public const int Usage = 2;

    /// <summary>Killed for a memory or pids limit (as by SIGKILL).</summary>
    public const int Killed = 137;

    /// <summary>Killed for its time limit, as coreutils <c>timeout</c>.</summary>
    public const int Timeout = 124;

    /// <summary><c>redteam</c>: at least one attack escaped.</summary>
    public const int Escaped = 3;

    /// <summary><c>redteam</c>: nothing escaped, but at least one case could not be judged.</summary>
    public const int Inconclusive = 4;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
