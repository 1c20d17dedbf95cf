namespace Airlock;

/// <summary>A background process inside a sandbox.</summary>
public sealed record ProcessInfo
{
    public required int Pid { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required bool Running { get; init; }

    public int? ExitCode { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>The most recent output of a background process (bounded by the agent's ring buffer).</summary>
public sealed record ProcessOutput(ProcessInfo Process, byte[] Stdout, byte[] Stderr);
