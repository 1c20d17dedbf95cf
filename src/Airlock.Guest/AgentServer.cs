using System.Net.Sockets;
using Airlock.Guest.Bridge;
using Airlock.Guest.Exec;
using Airlock.Guest.Files;
using Airlock.Guest.Protocol;
using Airlock.Guest.Server;

namespace Airlock.Guest;

/// <summary>
/// Runs one operation per stream its listener accepts: a connection to the agent's unix socket
/// (<c>--socket</c>) or a channel of a multiplexed serial port or dialled connection (<c>--serial</c>, <c>--dial</c>).
/// Lifecycle: open the root, start the reaper, start listening, accept until SIGTERM or the TTL, then
/// kill every background process group and stop listening (which removes the socket).
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
        CommandSpawn.Prepare();
        // First of all: no command may draw from a generator that other clones of the same snapshot share.
        if (_options.RandomSeed is { } seed && Airlock.Native.KernelRandom.Reseed(seed) is var errno and not 0)
        {
            throw new InvalidOperationException($"cannot reseed the kernel's random generator: {Airlock.Native.Errno.Message(errno)}");
        }

        // Before anything can run or be served: no command and no file operation ever sees these paths unprotected.
        GuestPathRules.Apply(_options.PathRules, _log);
        using var fs = new SandboxFileSystem(_options.Root);
        var reaper = new Reaper(_log);
        reaper.Start();
        MemoryGuard? memoryGuard = _options.MemoryBytes is { } limit ? new MemoryGuard(limit, _log) : null;
        memoryGuard?.Start();
        if (_options.CgroupMemoryBytes is { } cgroupMemory) GuestCgroups.Setup(cgroupMemory, _options.ChildTasks, _log);
        if (_options.PathRules.Count > 0) GuestPathRules.LockMounts(_log);
        var launcher = new CommandLauncher(reaper, _options.Root, _options.ChildTasks, memoryGuard, guestCgroups: _options.CgroupMemoryBytes is not null);
        var processes = new ProcessTable(launcher);
        var router = new OperationRouter(fs, launcher, processes);

        await using IStreamListener listener = _options.Transport switch
        {
            AgentTransport.Serial => MuxChannelListener.Serial(_options.Endpoint, _log),
            AgentTransport.Dial => MuxChannelListener.Dial(_options.Endpoint, _log),
            _ => new UnixSocketListener(_options.Endpoint),
        };
        _log.Write($"serving on {_options.Transport.ToString().ToLowerInvariant()} {_options.Endpoint}, root {_options.Root}, pid {Environment.ProcessId}");
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Stream operation = await listener.AcceptAsync(stopping);
                _ = HandleAsync(operation, router, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            processes.KillAll();
            _log.Write("stopped");
        }
    }

    /// <summary>Runs one operation on <paramref name="stream"/>: a socket connection or a mux channel alike.</summary>
    private async Task HandleAsync(Stream stream, OperationRouter router, CancellationToken stopping)
    {
        await using var connection = new FrameConnection(stream);
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
}
