using System.Net.Sockets;
using Airlock.Guest.Exec;
using Airlock.Guest.Files;
using Airlock.Guest.Protocol;
using Airlock.Guest.Server;

namespace Airlock.Guest;

/// <summary>
/// Listens on the agent's unix socket and runs one operation per accepted connection.
/// Lifecycle: open the root, start the reaper, bind (replacing a stale socket, mode 0600), accept until
/// SIGTERM or the TTL, then kill every background process group and remove the socket.
/// </summary>
internal sealed class AgentServer
{
    private readonly AgentOptions _options;
    private readonly AgentLog _log;

    public AgentServer(AgentOptions options, AgentLog log)
    {
        _options = options;
        _log = log;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var fs = new SandboxFileSystem(_options.Root);
        var reaper = new Reaper(_log);
        reaper.Start();
        var launcher = new CommandLauncher(reaper, _options.Root);
        var processes = new ProcessTable(launcher);
        var router = new OperationRouter(fs, launcher, processes);

        using var listener = Listen(_options.SocketPath);
        _log.Write($"listening on {_options.SocketPath}, root {_options.Root}, pid {Environment.ProcessId}");
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Socket client = await listener.AcceptAsync(stopping);
                _ = HandleAsync(client, router, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            processes.KillAll();
            TryDelete(_options.SocketPath);
            _log.Write("stopped");
        }
    }

    private async Task HandleAsync(Socket client, OperationRouter router, CancellationToken stopping)
    {
        await using var connection = new FrameConnection(new NetworkStream(client, ownsSocket: true));
        string op = "?";
        try
        {
            Frame? first = await connection.ReadFrameAsync(stopping);
            if (first is not { Type: FrameType.Json } frame)
            {
                return;
            }

            GuestRequest request = FrameConnection.ParseJson(frame, GuestJsonContext.Default.GuestRequest);
            op = request.Op;
            await router.RunAsync(connection, request, stopping);
        }
        catch (AirlockException e)
        {
            await TryWriteErrorAsync(connection, e.Kind, e.Message);
        }
        catch (InvalidDataException e)
        {
            await TryWriteErrorAsync(connection, AirlockErrorKind.InvalidArgument, "malformed request: " + e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The host went away or the agent is stopping.
        }
        catch (Exception e)
        {
            _log.Write($"{op} failed: {e}");
            await TryWriteErrorAsync(connection, AirlockErrorKind.Internal, $"guest agent failed during {op}: {e.Message}");
        }
    }

    private static async Task TryWriteErrorAsync(FrameConnection connection, AirlockErrorKind kind, string message)
    {
        try
        {
            await connection.WriteErrorAsync(kind, message);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static Socket Listen(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        TryDelete(path); // a stale socket from an earlier run would make bind fail
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
