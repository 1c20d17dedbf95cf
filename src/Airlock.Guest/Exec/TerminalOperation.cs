using System.Net.Sockets;
using Airlock.Guest.Protocol;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// One <c>pty.open</c>: the command's terminal output streams to the host as Stdout frames; the host's Stdin frames
/// are typed into the terminal, its Json frames resize it, its StdinClose types ^D. When the command exits, what it
/// left in the terminal is drained and the exit status sent; when the host goes away, the command's group is killed.
/// Keystrokes are never logged.
/// </summary>
internal sealed class TerminalOperation
{
    private const int DrainIdleMs = 100;
    private const int PollSliceMs = 250;
    private const byte EndOfFile = 0x04;

    private readonly FrameConnection _connection;
    private readonly TerminalCommand _command;
    private long _lastOutput = Environment.TickCount64;

    private TerminalOperation(FrameConnection connection, TerminalCommand command)
    {
        _connection = connection;
        _command = command;
    }

    public static async Task RunAsync(FrameConnection connection, GuestRequest request, CommandLauncher launcher, CancellationToken stopping)
    {
        int columns = request.Cols ?? 80, rows = request.Rows ?? 24;
        TerminalRequest.ValidateSize(columns, rows);
        if (!launcher.TryLaunchOnTerminal(request, (ushort)columns, (ushort)rows, out TerminalCommand? command, out LaunchFailure? failure))
        {
            throw AirlockException.Invalid($"{failure!.Message} (exit {failure.ExitCode})");
        }

        using (command)
        {
            var info = new ProcessInfo { Pid = command!.Pid, Command = command.Command, Running = true, StartedAt = command.StartedAt };
            await connection.WriteJsonAsync(info, GuestJsonContext.Default.ProcessInfo, stopping);
            await new TerminalOperation(connection, command).RunAsync(stopping);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var stopOutput = new CancellationTokenSource();
        using var stopHost = new CancellationTokenSource();
        using var onAgentStop = stopping.Register(_command.KillGroup);
        Task output = Task.Run(() => PumpOutput(stopOutput.Token), CancellationToken.None);
        Task<bool> host = ReadHostAsync(stopHost.Token);

        int status = await _command.Exit;
        Interlocked.Exchange(ref _lastOutput, Environment.TickCount64);
        while (!output.IsCompleted && Environment.TickCount64 - Interlocked.Read(ref _lastOutput) < DrainIdleMs)
        {
            await Task.WhenAny(output, Task.Delay(DrainIdleMs / 4, CancellationToken.None));
        }

        await stopOutput.CancelAsync();
        await output;
        if (!host.IsCompleted)
        {
            var (code, signal) = NativeProcess.DecodeWaitStatus(status);
            try
            {
                await _connection.WriteJsonAsync(new GuestExit(code ?? 128 + signal!.Value, signal, null, (long)(DateTimeOffset.UtcNow - _command.StartedAt).TotalMilliseconds), GuestJsonContext.Default.GuestExit, stopping);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        // What the command left running in its group goes with it, as when a terminal window closes.
        _command.KillGroup();
        await stopHost.CancelAsync();
        await host;
    }

    /// <summary>Reads the master in poll slices (a blocked terminal read cannot be cancelled); EIO means every replica is closed.</summary>
    private void PumpOutput(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int ready = NativeTerminal.WaitReadable(_command.Master, PollSliceMs);
                if (ready < 0) return;
                if (ready == 0) continue;
                int n = _command.Stream.Read(buffer, 0, buffer.Length);
                if (n == 0) return;
                Interlocked.Exchange(ref _lastOutput, Environment.TickCount64);
                _connection.WriteFrameAsync(FrameType.Stdout, buffer.AsMemory(0, n), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // EIO: the command and everything holding its terminal are gone; or the host left.
        }
    }

    /// <summary>Keystrokes, resizes and ^D from the host; true when the host left (which kills the command).</summary>
    private async Task<bool> ReadHostAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Frame? frame = await _connection.ReadFrameAsync(cancellationToken);
                if (frame is null)
                {
                    _command.KillGroup();
                    return true;
                }

                switch (frame.Value.Type)
                {
                    case FrameType.Stdin:
                        await _command.Stream.WriteAsync(frame.Value.Payload, cancellationToken);
                        break;
                    case FrameType.StdinClose:
                        await _command.Stream.WriteAsync(new[] { EndOfFile }, cancellationToken);
                        break;
                    case FrameType.Json:
                        var size = FrameConnection.ParseJson(frame.Value, GuestJsonContext.Default.GuestResize);
                        TerminalRequest.ValidateSize(size.Cols, size.Rows);
                        _ = _command.Resize((ushort)size.Cols, (ushort)size.Rows);
                        break;
                    default:
                        _command.KillGroup();
                        return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (AirlockException)
        {
            _command.KillGroup();
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException)
        {
            _command.KillGroup();
            return true;
        }
    }
}
