using Airlock.Guest.Protocol.Mux;

namespace Airlock.Guest.Bridge;

/// <summary>
/// <c>airlock-agent bridge</c>, run on the host once per microVM or gVisor sandbox: the host's GuestClient
/// keeps opening one unix socket connection per operation (on <see cref="BridgeOptions.ListenPath"/>), and
/// the bridge carries each as a channel of one mux session over the guest's single stream.
/// Lifecycle: listen (0600), write the pid file (the sign of readiness), keep a guest session up (reconnecting or re-accepting),
/// forward operations until SIGTERM (the backend kills the bridge when it destroys the sandbox), then remove
/// the socket and pid file. It writes nothing to stdout or stderr; <c>--log</c> gives a log file.
/// </summary>
internal sealed partial class HostBridge
{
    /// <summary>How long an operation waits for a guest session before its connection is closed.</summary>
    public static readonly TimeSpan SessionWait = TimeSpan.FromSeconds(30);

    /// <summary>How long the guest has to answer a session start on a fresh stream.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly BridgeOptions _options;
    private readonly AgentLog _log;
    private readonly GuestSessionSlot _slot = new();

    public HostBridge(BridgeOptions options, AgentLog log)
    {
        _options = options;
        _log = log;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await using var listener = new UnixSocketListener(_options.ListenPath);
            if (_options.PidFile is { } pidFile)
            {
                // Written once the socket listens: its existence tells the backend the bridge is ready.
                await File.WriteAllTextAsync(pidFile, $"{Environment.ProcessId}\n", CancellationToken.None);
            }

            _log.Write($"bridge listening on {_options.ListenPath}, guest {(_options.GuestDialsIn ? "dials in on" : "at")} {_options.GuestPath}, pid {Environment.ProcessId}");
            Task guest = _options.GuestDialsIn ? AcceptGuestAsync(stopping) : ConnectGuestAsync(stopping);
            try
            {
                while (true)
                {
                    Stream operation = await listener.AcceptAsync(stopping);
                    _ = ForwardAsync(operation, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }

            await guest;
            if (_slot.Replace(null) is { } last)
            {
                await last.DisposeAsync();
            }
        }
        finally
        {
            if (_options.PidFile is { } pidFile)
            {
                File.Delete(pidFile);
            }

            _log.Write("bridge stopped");
        }
    }

    private async Task ForwardAsync(Stream operation, CancellationToken stopping)
    {
        try
        {
            MuxChannelStream? channel = await _slot.OpenChannelAsync(SessionWait, stopping);
            if (channel is null)
            {
                _log.Write($"no guest session within {SessionWait.TotalSeconds:0} s: closing an operation");
                await operation.DisposeAsync();
                return;
            }

            await OperationForwarder.ForwardAsync(operation, channel);
        }
        catch (Exception e)
        {
            await operation.DisposeAsync();
            if (e is not OperationCanceledException)
            {
                _log.Write($"forwarding failed: {e}");
            }
        }
    }
}
