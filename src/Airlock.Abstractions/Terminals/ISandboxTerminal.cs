namespace Airlock;

/// <summary>
/// A command running on a pseudo-terminal inside a sandbox. Bytes written to <see cref="Input"/> are typed into the
/// terminal; <see cref="Output"/> is what the terminal shows (stdout and stderr merged, as a terminal does) and ends
/// when the command has exited. Disposing ends the session: the command's process group is killed.
/// </summary>
public interface ISandboxTerminal : IAsyncDisposable
{
    /// <summary>Write-only: keystrokes and pasted text. Disposing it sends the terminal's end-of-file (^D).</summary>
    Stream Input { get; }

    /// <summary>Read-only: the terminal's output, ending (a read returns 0) once the command has exited.</summary>
    Stream Output { get; }

    /// <summary>Resizes the terminal; the command receives SIGWINCH.</summary>
    Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default);

    /// <summary>The command's exit code (128+signal when a signal ended it); known once <see cref="Output"/> has been read to its end.</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken = default);
}
