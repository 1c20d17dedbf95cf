using Airlock.Native;

namespace Airlock.Guest.Exec;

/// <summary>A command started with process.start: its output goes to ring buffers until it (and its pipes) end.</summary>
internal sealed class BackgroundProcess
{
    private readonly LaunchedCommand _command;
    private volatile int _exitCode = -1; // -1 while running: one field, so Running and ExitCode never disagree

    public BackgroundProcess(LaunchedCommand command)
    {
        _command = command;
        Completion = RunAsync();
    }

    public int Pid => _command.Pid;

    public LaunchedCommand Command => _command;

    public OutputRing Stdout { get; } = new();

    public OutputRing Stderr { get; } = new();

    public Task Completion { get; }

    public bool Running => _exitCode < 0;

    public ProcessInfo ToInfo() => new()
    {
        Pid = _command.Pid,
        Command = _command.Command,
        Running = Running,
        ExitCode = _exitCode is >= 0 and var code ? code : null,
        StartedAt = _command.StartedAt,
    };

    private async Task RunAsync()
    {
        Task pumps = Task.WhenAll(PumpAsync(_command.Stdout, Stdout), PumpAsync(_command.Stderr, Stderr));
        int status = await _command.Exit;
        var (code, signal) = NativeProcess.DecodeWaitStatus(status);
        _exitCode = code ?? 128 + signal!.Value;
        await pumps; // until every holder of the pipes is gone
        _command.Dispose();
    }

    private static async Task PumpAsync(Stream source, OutputRing ring)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer)) > 0)
            {
                ring.Append(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
