using System.Runtime.CompilerServices;

namespace Airlock.Guest.Protocol;

public sealed partial class GuestClient
{
    /// <summary>
    /// Runs a command. The agent reports <c>timeout</c> kills; the host adds <c>memory</c>/<c>pids</c> from cgroup counters.
    /// Stopping the enumeration early (or cancelling) closes the connection, and the agent kills the command's process group.
    /// </summary>
    public async IAsyncEnumerable<ExecEvent> ExecAsync(ExecRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(ToRequest(GuestOps.Exec, request), cancellationToken);
        using var stdinCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (request.Stdin is not null)
            {
                // Not awaited: the pump ends with the connection, and a caller's stream that ignores
                // cancellation must not hold up the exec's result.
                _ = PumpStdinAsync(connection, request.Stdin, stdinCancel.Token);
            }

            while (true)
            {
                Frame frame = await FrameErrors.ReadAsync(connection, "exec", cancellationToken);
                switch (frame.Type)
                {
                    case FrameType.Stdout:
                        yield return new ExecOutput(OutputStream.Stdout, frame.Payload.ToArray());
                        break;
                    case FrameType.Stderr:
                        yield return new ExecOutput(OutputStream.Stderr, frame.Payload.ToArray());
                        break;
                    default:
                        GuestExit exit = FrameErrors.Expect(frame, Json.GuestExit);
                        yield return new ExecExited(new ExecResult
                        {
                            ExitCode = exit.ExitCode,
                            Signal = exit.Signal,
                            KilledBy = exit.KilledBy,
                            Duration = TimeSpan.FromMilliseconds(exit.DurationMs),
                        });
                        yield break;
                }
            }
        }
        finally
        {
            await stdinCancel.CancelAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Starts a background command; its output is kept by the agent in a bounded ring buffer.</summary>
    public async Task<ProcessInfo> StartProcessAsync(ExecRequest request, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(ToRequest(GuestOps.ProcessStart, request) with { TimeoutMs = null }, cancellationToken);
        ProcessInfo info = await ReadJsonAsync(connection, Json.ProcessInfo, "process start", cancellationToken);
        if (request.Stdin is not null)
        {
            await PumpStdinAsync(connection, request.Stdin, cancellationToken);
            await ReadJsonAsync(connection, Json.GuestOk, "process start", cancellationToken);
        }

        return info;
    }

    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.ProcessList }, cancellationToken);
        return await ReadJsonAsync(connection, Json.ListProcessInfo, "process list", cancellationToken);
    }

    public async Task<ProcessOutput> GetProcessOutputAsync(int pid, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.ProcessOutput, Pid = pid }, cancellationToken);
        ProcessInfo info = await ReadJsonAsync(connection, Json.ProcessInfo, "process output", cancellationToken);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        while (true)
        {
            Frame frame = await FrameErrors.ReadAsync(connection, "process output", cancellationToken);
            switch (frame.Type)
            {
                case FrameType.Stdout:
                    stdout.Write(frame.Payload.Span);
                    break;
                case FrameType.Stderr:
                    stderr.Write(frame.Payload.Span);
                    break;
                case FrameType.End:
                    return new ProcessOutput(info, stdout.ToArray(), stderr.ToArray());
                case FrameType.Error:
                    throw FrameErrors.ToException(frame);
                default:
                    throw FrameErrors.Malformed($"a {frame.Type} frame in process output");
            }

            // The agent's ring buffers are 1 MiB per stream; anything far beyond is not an honest agent.
            if (stdout.Length + stderr.Length > 4 * GuestProtocol.MaxFramePayload)
            {
                throw FrameErrors.Malformed("process output larger than the agent's ring buffers");
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the process group of <paramref name="pid"/>.</summary>
    public async Task SignalProcessAsync(int pid, int signal, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(new GuestRequest { Op = GuestOps.ProcessSignal, Pid = pid, Signal = signal }, cancellationToken);
        await ReadJsonAsync(connection, Json.GuestOk, "process signal", cancellationToken);
    }

    private static GuestRequest ToRequest(string op, ExecRequest request)
    {
        if (request.Command.Count == 0 || string.IsNullOrEmpty(request.Command[0]))
        {
            throw AirlockException.Invalid("a command is required");
        }

        return new GuestRequest
        {
            Op = op,
            Argv = request.Command,
            Env = request.Env,
            Cwd = request.Cwd,
            TimeoutMs = request.Timeout is { } t ? (long)Math.Ceiling(t.TotalMilliseconds) : null,
            HasStdin = request.Stdin is not null,
        };
    }

    private static async Task PumpStdinAsync(FrameConnection connection, Stream stdin, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await stdin.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    break;
                }

                await connection.WriteFrameAsync(FrameType.Stdin, buffer.AsMemory(0, n), cancellationToken);
            }

            await connection.WriteFrameAsync(FrameType.StdinClose, ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
        catch (Exception)
        {
            // The command exited, failed to start or the exec was abandoned: the frame reader reports why.
        }
    }
}
