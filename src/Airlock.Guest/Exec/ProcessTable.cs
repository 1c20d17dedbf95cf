using System.Collections.Concurrent;
using Airlock.Guest.Protocol;
using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>Background processes by pid: start, list, output, signal. Exited entries are kept (bounded) so their output can still be read.</summary>
internal sealed class ProcessTable
{
    private const int MaxEntries = 256;

    private readonly ConcurrentDictionary<int, BackgroundProcess> _processes = new();
    private readonly CommandLauncher _launcher;

    public ProcessTable(CommandLauncher launcher)
    {
        _launcher = launcher;
    }

    public async Task StartAsync(FrameConnection connection, GuestRequest request, CancellationToken cancellationToken)
    {
        if (!_launcher.TryLaunch(request, out LaunchedCommand? command, out LaunchFailure? failure))
        {
            throw new AirlockException(failure!.ExitCode == 127 ? AirlockErrorKind.NotFound : AirlockErrorKind.InvalidArgument, failure.Message);
        }

        var process = new BackgroundProcess(command!);
        _processes[process.Pid] = process;
        Prune();
        await connection.WriteJsonAsync(process.ToInfo(), GuestJsonContext.Default.ProcessInfo, cancellationToken);
        if (request.HasStdin && command!.Stdin is { } stdin)
        {
            await using (stdin)
            {
                await CopyStdinAsync(connection, stdin, cancellationToken);
            }

            await connection.WriteJsonAsync(GuestOk.Instance, GuestJsonContext.Default.GuestOk, cancellationToken);
        }
    }

    public List<ProcessInfo> List() => _processes.Values.OrderBy(p => p.Pid).Select(p => p.ToInfo()).ToList();

    public async Task WriteOutputAsync(FrameConnection connection, int pid, CancellationToken cancellationToken)
    {
        BackgroundProcess process = Find(pid);
        await connection.WriteJsonAsync(process.ToInfo(), GuestJsonContext.Default.ProcessInfo, cancellationToken);
        await WriteChunksAsync(connection, FrameType.Stdout, process.Stdout.Snapshot(), cancellationToken);
        await WriteChunksAsync(connection, FrameType.Stderr, process.Stderr.Snapshot(), cancellationToken);
        await connection.WriteFrameAsync(FrameType.End, ReadOnlyMemory<byte>.Empty, cancellationToken);
    }

    /// <summary>Signals the process group, so a shell and what it started get the signal together.</summary>
    public void Signal(int pid, int signal)
    {
        if (signal is < 1 or > 64)
        {
            throw AirlockException.Invalid($"signal {signal} is not a valid signal number");
        }

        BackgroundProcess process = Find(pid);
        int rc = NativeProcess.Kill(-process.Pid, signal);
        if (rc != 0 && rc != Errno.ESRCH)
        {
            throw new AirlockException(AirlockErrorKind.Internal, $"cannot signal process {pid}: {Errno.Message(rc)}");
        }
    }

    /// <summary>On agent shutdown: nothing started here outlives the agent.</summary>
    public void KillAll()
    {
        foreach (BackgroundProcess process in _processes.Values.Where(p => p.Running))
        {
            process.Command.KillGroup();
        }
    }

    private BackgroundProcess Find(int pid) =>
        _processes.TryGetValue(pid, out BackgroundProcess? process)
            ? process
            : throw AirlockException.NotFound($"no background process with pid {pid}");

    private void Prune()
    {
        if (_processes.Count <= MaxEntries)
        {
            return;
        }

        foreach (BackgroundProcess done in _processes.Values.Where(p => !p.Running).OrderBy(p => p.Command.StartedAt).Take(_processes.Count - MaxEntries))
        {
            _processes.TryRemove(done.Pid, out _);
        }
    }

    private static async Task CopyStdinAsync(FrameConnection connection, Stream stdin, CancellationToken cancellationToken)
    {
        while (await connection.ReadFrameAsync(cancellationToken) is { } frame && frame.Type == FrameType.Stdin)
        {
            try
            {
                await stdin.WriteAsync(frame.Payload, cancellationToken);
            }
            catch (IOException)
            {
                return; // the process closed its stdin
            }
        }
    }

    private static async Task WriteChunksAsync(FrameConnection connection, FrameType type, byte[] data, CancellationToken cancellationToken)
    {
        for (int offset = 0; offset < data.Length; offset += GuestProtocol.DataChunkSize)
        {
            int n = Math.Min(GuestProtocol.DataChunkSize, data.Length - offset);
            await connection.WriteFrameAsync(type, data.AsMemory(offset, n), cancellationToken);
        }
    }
}
