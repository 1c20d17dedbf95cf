namespace Airlock.RedTeam.Model;

/// <summary>
/// What came back from an attack command: its exit, the first bytes of its output (kept bounded, so a flood
/// cannot grow the battery) and how many bytes it produced in all. The output is scanned for host secrets;
/// it is never trusted for a verdict by itself.
/// </summary>
internal sealed record AttackRun
{
    public required ExecResult? Result { get; init; }

    public required string Stdout { get; init; }

    public required string Stderr { get; init; }

    public required long TotalBytes { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Why the host stopped waiting or the call failed, when it did.</summary>
    public string? Failure { get; init; }

    public string Output => Stdout + Stderr;

    public string Describe() => Result is { } r
        ? $"exit {r.ExitCode}{(r.KilledBy is { } k ? $" (killed: {k})" : "")} after {Duration.TotalSeconds:0.0}s"
        : $"no exit after {Duration.TotalSeconds:0.0}s ({Failure})";
}
