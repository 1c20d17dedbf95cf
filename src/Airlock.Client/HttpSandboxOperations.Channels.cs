using System.Net.WebSockets;
using Airlock.Client.Wire;

namespace Airlock.Client;

internal sealed partial class HttpSandboxOperations : ISandboxChannels
{
    public async Task<ISandboxTerminal> OpenTerminalAsync(string id, TerminalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TerminalRequest.ValidateSize(request.Columns, request.Rows);
        var relative = $"{Sandbox(id)}/pty?cols={request.Columns}&rows={request.Rows}"
            + string.Concat(request.Command.Select(c => "&command=" + DaemonConnection.Escape(c)));
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        daemon.Authorize(socket.Options);
        try
        {
            await socket.ConnectAsync(daemon.WebSocketUri(relative), cancellationToken);
            return new WebSocketTerminal(socket);
        }
        catch (WebSocketException e)
        {
            int status = (int)socket.HttpStatusCode;
            socket.Dispose();
            if (status is 0 or 101) throw AirlockException.Unavailable($"cannot open a terminal on the Airlock daemon at {daemon.BaseAddress}: {e.Message}", e);
            throw await daemon.HandshakeFailureAsync(relative, status, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A daemon does not hand out raw connections into a sandbox; it serves them as previews (<see cref="ExposePortAsync"/>).</summary>
    public Task<Stream> ConnectPortAsync(string id, int port, CancellationToken cancellationToken = default) =>
        throw AirlockException.Invalid("a daemon relays a sandbox's port as a preview URL: use ExposePortAsync (`airlock expose`)");

    public Task<PortPreview> ExposePortAsync(string id, int port, TimeSpan? ttl, CancellationToken cancellationToken) =>
        daemon.SendJsonAsync<PortPreview>(daemon.Request(HttpMethod.Post, Sandbox(id) + "/ports",
            DaemonConnection.Json(new ExposePortBody(port, ttl is { } t ? WireFormat.Duration(t) : null))), cancellationToken);

    public async Task<IReadOnlyList<PortPreview>> ListPortsAsync(string id, CancellationToken cancellationToken) =>
        (await daemon.SendJsonAsync<PortPreviewList>(daemon.Request(HttpMethod.Get, Sandbox(id) + "/ports"), cancellationToken)).Ports;

    public Task ClosePortAsync(string id, int port, CancellationToken cancellationToken) =>
        daemon.SendNoContentAsync(daemon.Request(HttpMethod.Delete, $"{Sandbox(id)}/ports/{port}"), cancellationToken);
}
