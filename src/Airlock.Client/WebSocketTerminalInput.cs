using System.Net.WebSockets;

namespace Airlock.Client;

/// <summary>Keystrokes as binary messages; closing types ^D, as the agent does for a closed input.</summary>
internal sealed class WebSocketTerminalInput(WebSocketTerminal terminal) : Stream
{
    private const byte EndOfFile = 0x04;
    private int _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(terminal.SendAsync(buffer, WebSocketMessageType.Binary, cancellationToken));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) CloseAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try
        {
            await terminal.SendAsync(new[] { EndOfFile }, WebSocketMessageType.Binary, CancellationToken.None);
        }
        catch (Exception e) when (e is AirlockException or ObjectDisposedException)
        {
            // The session is already over.
        }
    }
}
