using System.Diagnostics;
using System.IO.Pipes;

namespace Airlock.Guest.Exec;

/// <summary>A started command: its pid (also its process-group id), our ends of its pipes, and its wait status.</summary>
internal sealed class LaunchedCommand : IDisposable
{
    public required int Pid { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Null when the command got an empty stdin.</summary>
    public required PipeStream? Stdin { get; init; }

    public required PipeStream Stdout { get; init; }

    public required PipeStream Stderr { get; init; }

    /// <summary>The guest kernel's OOM kills before the command started (<see cref="GuestCgroups.OomKills"/>); null outside a microVM.</summary>
    public long? GuestOomKillsAtStart { get; init; }

    /// <summary>The raw waitpid status.</summary>
    public required Task<int> Exit { get; init; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>SIGKILL to the whole process group (the command and everything it started in its session).</summary>
    public void KillGroup() => _ = Native.NativeProcess.Kill(-Pid, 9);

    public void Dispose()
    {
        Stdin?.Dispose();
        Stdout.Dispose();
        Stderr.Dispose();
    }
}
