namespace Airlock;

/// <summary>
/// Interactive byte channels into a running sandbox, carried by its guest agent (no network needed, every tier):
/// a command on a pseudo-terminal, and a TCP connection to a port inside the sandbox's own loopback. The engine
/// and the governance stage implement it (so a terminal is judged and audited like an exec); the daemon serves
/// terminals at <c>/v1/sandboxes/{id}/pty</c> and port previews under <c>/preview/</c>.
/// </summary>
public interface ISandboxChannels
{
    Task<ISandboxTerminal> OpenTerminalAsync(string id, TerminalRequest request, CancellationToken cancellationToken = default);

    /// <summary>A connection to 127.0.0.1:<paramref name="port"/> inside the sandbox; Unavailable when nothing listens there.</summary>
    Task<Stream> ConnectPortAsync(string id, int port, CancellationToken cancellationToken = default);
}
