using System.Net.WebSockets;
using System.Text.Json;
using Airlock.Client.Wire;

namespace Airlock.Client;

/// <summary>
/// A terminal on a daemon, over the WebSocket of <c>GET /v1/sandboxes/{id}/pty</c>: binary messages are terminal bytes,
/// text messages are control (resize from us, the exit code from the daemon). <see cref="Output"/> reads messages on
/// demand, so a slow reader slows the terminal instead of filling memory.
/// </summary>
internal sealed class WebSocketTerminal : ISandboxTerminal
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _buffer = new byte[32 * 1024];

    public WebSocketTerminal(ClientWebSocket socket)
    {
        _socket = socket;
        Output = new MessageReadStream(NextAsync);
        Input = new WebSocketTerminalInput(this);
    }

    public Stream Input { get; }

    public Stream Output { get; }

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default)
    {
        TerminalRequest.ValidateSize(columns, rows);
        return SendAsync(JsonSerializer.SerializeToUtf8Bytes(new TerminalResize(columns, rows), AirlockJson.Options), WebSocketMessageType.Text, cancellationToken);
    }

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _exit.TrySetException(AirlockException.Unavailable("the terminal was closed before its command exited"));
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", bound.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _sending.Dispose();
    }

    internal async Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(data, type, endOfMessage: true, cancellationToken);
        }
        catch (WebSocketException e)
        {
            throw AirlockException.Unavailable("the terminal's connection to the daemon was lost", e);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next binary message, or empty at the exit message or the close.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var text = new MemoryStream();
            while (true)
            {
                var received = await _socket.ReceiveAsync(_buffer.AsMemory(), cancellationToken);
                switch (received.MessageType)
                {
                    case WebSocketMessageType.Binary when received.Count > 0:
                        return _buffer.AsMemory(0, received.Count);
                    case WebSocketMessageType.Binary:
                        continue;
                    case WebSocketMessageType.Text:
                        text.Write(_buffer, 0, received.Count);
                        if (!received.EndOfMessage) continue;
                        var exit = JsonSerializer.Deserialize<TerminalExit>(text.ToArray(), AirlockJson.Options);
                        if (exit is not null) _exit.TrySetResult(exit.ExitCode);
                        text.SetLength(0);
                        continue;
                    default:
                        _exit.TrySetException(AirlockException.Unavailable(
                            $"the daemon closed the terminal without an exit code ({_socket.CloseStatus} {_socket.CloseStatusDescription})"));
                        return ReadOnlyMemory<byte>.Empty;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or JsonException)
        {
            var lost = AirlockException.Unavailable("the terminal's connection to the daemon was lost", e);
            _exit.TrySetException(lost);
            throw lost;
        }
    }
}
