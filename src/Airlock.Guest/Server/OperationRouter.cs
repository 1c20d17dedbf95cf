using Airlock.Guest.Exec;
using Airlock.Guest.Files;
using Airlock.Guest.Ports;
using Airlock.Guest.Protocol;

namespace Airlock.Guest.Server;

/// <summary>One method per op: parse the request's fields, delegate, answer with the frames the protocol documents.</summary>
internal sealed class OperationRouter
{
    private static readonly GuestJsonContext Json = GuestJsonContext.Default;

    private readonly SandboxFileSystem _fs;
    private readonly CommandLauncher _launcher;
    private readonly ProcessTable _processes;

    public OperationRouter(SandboxFileSystem fs, CommandLauncher launcher, ProcessTable processes)
    {
        _fs = fs;
        _launcher = launcher;
        _processes = processes;
    }

    public Task RunAsync(FrameConnection connection, GuestRequest request, CancellationToken cancellationToken) => request.Op switch
    {
        GuestOps.Ping => connection.WriteJsonAsync(new GuestHello(GuestProtocol.Version, Environment.ProcessId), Json.GuestHello, cancellationToken).AsTask(),
        GuestOps.Exec => ExecOperation.RunAsync(connection, request, _launcher, cancellationToken),
        GuestOps.ProcessStart => _processes.StartAsync(connection, request, cancellationToken),
        GuestOps.ProcessList => connection.WriteJsonAsync(_processes.List(), Json.ListProcessInfo, cancellationToken).AsTask(),
        GuestOps.ProcessOutput => _processes.WriteOutputAsync(connection, RequirePid(request), cancellationToken),
        GuestOps.ProcessSignal => SignalAsync(connection, request, cancellationToken),
        GuestOps.FileRead => FileOperations.ReadAsync(_fs, connection, request.Path, cancellationToken),
        GuestOps.FileWrite => FileOperations.WriteAsync(_fs, connection, request.Path, request.Mode, cancellationToken),
        GuestOps.FileList => connection.WriteJsonAsync(_fs.List(request.Path!), Json.ListFileEntry, cancellationToken).AsTask(),
        GuestOps.FileStat => connection.WriteJsonAsync(_fs.Stat(request.Path!), Json.FileEntry, cancellationToken).AsTask(),
        GuestOps.FileMkdir => connection.WriteJsonAsync(_fs.MakeDirectory(request.Path!, request.Parents), Json.FileEntry, cancellationToken).AsTask(),
        GuestOps.FileRemove => RemoveAsync(connection, request, cancellationToken),
        GuestOps.TarGet => FileOperations.TarGetAsync(_fs, connection, request.Path, cancellationToken),
        GuestOps.TarPut => FileOperations.TarPutAsync(_fs, connection, request.Path, cancellationToken),
        GuestOps.PtyOpen => TerminalOperation.RunAsync(connection, request, _launcher, cancellationToken),
        GuestOps.PortConnect => PortRelayOperation.RunAsync(connection, request, cancellationToken),
        _ => throw AirlockException.Invalid($"unknown operation '{request.Op}'"),
    };

    private async Task SignalAsync(FrameConnection connection, GuestRequest request, CancellationToken cancellationToken)
    {
        _processes.Signal(RequirePid(request), request.Signal ?? throw AirlockException.Invalid("a signal is required"));
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
    }

    private async Task RemoveAsync(FrameConnection connection, GuestRequest request, CancellationToken cancellationToken)
    {
        _fs.Remove(request.Path!, request.Recursive);
        await connection.WriteJsonAsync(GuestOk.Instance, Json.GuestOk, cancellationToken);
    }

    private static int RequirePid(GuestRequest request) => request.Pid ?? throw AirlockException.Invalid("a pid is required");
}
