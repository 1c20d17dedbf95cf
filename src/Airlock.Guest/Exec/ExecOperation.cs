using System.Net.Sockets;
using System.Text;
using Airlock.Guest.Protocol;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>
/// One exec: streams stdout and stderr as produced, feeds stdin from the host, enforces the timeout
/// (SIGKILL to the whole process group, exit 124), and kills the group when the host goes away.
/// </summary>
internal sealed class ExecOperation
{
    /// <summary>
    /// After the command exits, output is drained while it keeps coming or is waiting in a pipe: a background child
    /// (<c>sleep 100 &amp;</c>) that holds the pipes open must not hold up the exec's result, and nothing already written
    /// may be lost.
    /// </summary>
    private const int DrainIdleMs = 100;

    private readonly FrameConnection _connection;
    private readonly LaunchedCommand _command;
    private long _lastOutput = Environment.TickCount64;
    private volatile bool _timedOut;
    private bool _stdinClosed;

    private readonly MemoryGuard? _memoryGuard;

    private ExecOperation(FrameConnection connection, LaunchedCommand command, MemoryGuard? memoryGuard)
    {
        _connection = connection;
        _command = command;
        _memoryGuard = memoryGuard;
    }

    public static async Task RunAsync(FrameConnection connection, GuestRequest request, CommandLauncher launcher, CancellationToken stopping)
    {
        if (!launcher.TryLaunch(request, out LaunchedCommand? command, out LaunchFailure? failure))
        {
            await connection.WriteFrameAsync(FrameType.Stderr, Encoding.UTF8.GetBytes(failure!.Message + "\n"), stopping);
            await connection.WriteJsonAsync(new GuestExit(failure.ExitCode, null, null, 0), GuestJsonContext.Default.GuestExit, stopping);
            return;
        }

        using (command)
        {
            await new ExecOperation(connection, command!, launcher.MemoryGuard).RunAsync(request.TimeoutMs, stopping);
        }
    }

    private async Task RunAsync(long? timeoutMs, CancellationToken stopping)
    {
        using var stopPumps = new CancellationTokenSource();
        using var stopReader = new CancellationTokenSource();
        using var stopTimer = new CancellationTokenSource();
        using var onAgentStop = stopping.Register(_command.KillGroup);

        Task stdout = PumpAsync(_command.Stdout, FrameType.Stdout, stopPumps.Token);
        Task stderr = PumpAsync(_command.Stderr, FrameType.Stderr, stopPumps.Token);
        Task<bool> host = ReadHostAsync(stopReader.Token);
        Task timer = timeoutMs is { } ms ? KillAfterAsync(ms, stopTimer.Token) : Task.CompletedTask;

        int status = await _command.Exit;
        long durationMs = _command.Clock.ElapsedMilliseconds;
        await stopTimer.CancelAsync();
        await timer;

        Interlocked.Exchange(ref _lastOutput, Environment.TickCount64);
        Task pumps = Task.WhenAll(stdout, stderr);
        // Never stopped while a pipe still holds bytes: what the command wrote before it exited is in them, and on a loaded
        // host a pump may not run within the idle window (a load run at 100 sandboxes lost an `echo`'s whole output so).
        while (!pumps.IsCompleted && (Environment.TickCount64 - Interlocked.Read(ref _lastOutput) < DrainIdleMs || OutputPending()))
        {
            await Task.WhenAny(pumps, Task.Delay(DrainIdleMs / 4, CancellationToken.None));
        }

        await stopPumps.CancelAsync();
        await pumps;

        if (!host.IsCompleted)
        {
            var (code, signal) = NativeProcess.DecodeWaitStatus(status);
            bool killedByTimeout = _timedOut && signal is not null;
            bool killedForMemory = !killedByTimeout && (_memoryGuard?.TakeKill(_command.Pid) == true || GuestOomKilled(signal));
            var exit = new GuestExit(
                killedByTimeout ? 124 : killedForMemory ? 137 : code ?? 128 + signal!.Value,
                signal,
                killedByTimeout ? ExecResult.Limits.Timeout : killedForMemory ? ExecResult.Limits.Memory : null,
                durationMs);
            try
            {
                await _connection.WriteJsonAsync(exit, GuestJsonContext.Default.GuestExit, stopping);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The host left while we were finishing.
            }
        }

        await stopReader.CancelAsync();
        await host;
    }

    /// <summary>In a microVM: SIGKILLed while the guest kernel's OOM kill count grew.</summary>
    private bool GuestOomKilled(int? signal) =>
        signal == 9 && _command.GuestOomKillsAtStart is { } before && GuestCgroups.OomKills() > before;

    private bool OutputPending() =>
        NativeFs.BytesAvailable(_command.Stdout.SafePipeHandle) > 0 || NativeFs.BytesAvailable(_command.Stderr.SafePipeHandle) > 0;

    private async Task PumpAsync(Stream source, FrameType type, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await source.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return;
                }

                Interlocked.Exchange(ref _lastOutput, Environment.TickCount64);

                // Not cancellable: a frame is either sent whole or the connection is gone.
                await _connection.WriteFrameAsync(type, buffer.AsMemory(0, n), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Forwards stdin; returns true when the host closed the connection (or broke the protocol), which kills the command.</summary>
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
                    case FrameType.Stdin when !_stdinClosed && _command.Stdin is { } stdin:
                        try
                        {
                            await stdin.WriteAsync(frame.Value.Payload, cancellationToken);
                        }
                        catch (IOException)
                        {
                            _stdinClosed = true; // the command closed its stdin (EPIPE); drop the rest
                            stdin.Dispose();
                        }

                        break;
                    case FrameType.Stdin:
                        break;
                    case FrameType.StdinClose:
                        _stdinClosed = true;
                        _command.Stdin?.Dispose();
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
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException)
        {
            _command.KillGroup();
            return true;
        }
    }

    private async Task KillAfterAsync(long timeoutMs, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(timeoutMs), cancellationToken);
            _timedOut = true;
            _command.KillGroup();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
