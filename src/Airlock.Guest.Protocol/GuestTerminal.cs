namespace Airlock.Guest.Protocol;

/// <summary>
/// The host's end of a <c>pty.open</c> operation. <see cref="Output"/> reads the agent's frames on demand (so a slow
/// reader slows the terminal instead of growing a buffer): Stdout frames are the terminal's bytes, the final Json
/// <see cref="GuestExit"/> ends the stream and gives the exit code.
/// </summary>
public sealed class GuestTerminal : ISandboxTerminal
{
    private readonly FrameConnection _connection;
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TerminalInputStream _input;

    internal GuestTerminal(FrameConnection connection, ProcessInfo process)
    {
        _connection = connection;
        Process = process;
        _input = new TerminalInputStream(connection);
        Output = new ChunkReadStream(NextAsync);
    }

    /// <summary>The command's pid inside the sandbox (also its session and process-group id).</summary>
    public ProcessInfo Process { get; }

    public Stream Input => _input;

    public Stream Output { get; }

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default)
    {
        TerminalRequest.ValidateSize(columns, rows);
        return _connection.WriteJsonAsync(new GuestResize(columns, rows), GuestJsonContext.Default.GuestResize, cancellationToken).AsTask();
    }

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _exit.TrySetException(AirlockException.Unavailable("the terminal was closed before its command exited"));
        await _connection.DisposeAsync();
    }

    /// <summary>The next chunk of terminal output, or empty once the command has exited.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        if (_exit.Task.IsCompleted) return ReadOnlyMemory<byte>.Empty;
        try
        {
            while (true)
            {
                Frame frame = await FrameErrors.ReadAsync(_connection, "the terminal session", cancellationToken);
                switch (frame.Type)
                {
                    case FrameType.Stdout or FrameType.Stderr when frame.Payload.Length > 0:
                        return frame.Payload;
                    case FrameType.Stdout or FrameType.Stderr:
                        continue;
                    default:
                        _exit.TrySetResult(FrameErrors.Expect(frame, GuestJsonContext.Default.GuestExit).ExitCode);
                        return ReadOnlyMemory<byte>.Empty;
                }
            }
        }
        catch (AirlockException e)
        {
            _exit.TrySetException(e);
            throw;
        }
    }
}
