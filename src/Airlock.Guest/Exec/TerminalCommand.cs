using Airlock.Native;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Guest.Exec;

/// <summary>A command running on a pseudo-terminal: its pid (also its session and group id), the master end, its wait status.</summary>
internal sealed class TerminalCommand : IDisposable
{
    public TerminalCommand(int pid, IReadOnlyList<string> command, SafeFileHandle master, Task<int> exit)
    {
        Pid = pid;
        Command = command;
        Master = master;
        Exit = exit;

        // A pty master is a character device, not a pipe (PipeStream refuses it); unbuffered FileStream reads block a
        // pool thread per terminal, which the agent's bounded pool allows for the few terminals a sandbox has.
        Stream = new FileStream(master, FileAccess.ReadWrite, bufferSize: 0);
    }

    public int Pid { get; }

    public IReadOnlyList<string> Command { get; }

    public SafeFileHandle Master { get; }

    public FileStream Stream { get; }

    /// <summary>The raw waitpid status.</summary>
    public Task<int> Exit { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>SIGKILL to the whole process group.</summary>
    public void KillGroup() => _ = NativeProcess.Kill(-Pid, 9);

    public int Resize(ushort columns, ushort rows) => NativeTerminal.SetWindowSize(Master, columns, rows);

    public void Dispose()
    {
        Stream.Dispose();
        Master.Dispose();
    }
}
