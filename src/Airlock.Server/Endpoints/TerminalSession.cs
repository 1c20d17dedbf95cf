using System.Net.WebSockets;
using System.Text.Json;
using Airlock.Client.Wire;

namespace Airlock.Server.Endpoints;

/// <summary>
/// Relays one terminal over an accepted WebSocket. The client closing (or vanishing) ends the session, and disposing
/// the terminal kills its command; the command exiting sends the exit code and closes the socket.
/// </summary>
internal sealed class TerminalSession(WebSocket socket, ISandboxTerminal terminal)
{
    /// <summary>How long the client has to answer our close before the socket is dropped.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private const int MaxControlMessage = 4096;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        Task input = PumpInputAsync(leave.Token);
        Task output = PumpOutputAsync(leave.Token);
        if (await Task.WhenAny(input, output) == output)
        {
            await Task.WhenAny(input, Task.Delay(CloseGrace, CancellationToken.None));
        }

        await leave.CancelAsync();
        await Task.WhenAll(Quietly(input), Quietly(output));
    }

    private async Task PumpOutputAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[32 * 1024];
        int n;
        while ((n = await terminal.Output.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        }

        int exitCode = await terminal.WaitForExitAsync(cancellationToken);
        byte[] exit = JsonSerializer.SerializeToUtf8Bytes(new TerminalExit(exitCode), AirlockJson.Options);
        await socket.SendAsync(exit, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "exited", cancellationToken);
    }

    private async Task PumpInputAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[32 * 1024];
        using var control = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            switch (received.MessageType)
            {
                case WebSocketMessageType.Close:
                    return;
                case WebSocketMessageType.Binary:
                    await terminal.Input.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken);
                    break;
                case WebSocketMessageType.Text:
                    if (control.Length + received.Count > MaxControlMessage)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "control messages are small JSON objects", cancellationToken);
                        return;
                    }

                    control.Write(buffer, 0, received.Count);
                    if (!received.EndOfMessage) break;
                    await ResizeAsync(control.ToArray(), cancellationToken);
                    control.SetLength(0);
                    break;
            }
        }
    }

    private async Task ResizeAsync(byte[] message, CancellationToken cancellationToken)
    {
        TerminalResize? size;
        try
        {
            size = JsonSerializer.Deserialize<TerminalResize>(message, AirlockJson.Options);
        }
        catch (JsonException)
        {
            size = null;
        }

        if (size is not { Cols: > 0 and <= TerminalRequest.MaxDimension, Rows: > 0 and <= TerminalRequest.MaxDimension })
        {
            await socket.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "text messages must be {\"cols\":N,\"rows\":N} with N in 1..1000", cancellationToken);
            return;
        }

        await terminal.ResizeAsync(size.Cols, size.Rows, cancellationToken);
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or AirlockException or ObjectDisposedException)
        {
            // The client left, or the sandbox went away: the session is over either way.
        }
    }
}
