using System.Threading.Channels;
using Airlock.Audit;

namespace Airlock.Egress;

/// <summary>
/// Appends the gateway's audit events from one background writer, so that a connection or a DNS answer never waits
/// for the audit log's commit; <see cref="DisposeAsync"/> drains what is queued.
/// </summary>
internal sealed class AuditSink : IAsyncDisposable
{
    public const string Actor = "egress";

    private readonly IAuditLog? _log;
    private readonly Channel<AuditEvent> _queue = Channel.CreateUnbounded<AuditEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public AuditSink(IAuditLog? log)
    {
        _log = log;
        _writer = log is null ? Task.CompletedTask : Task.Run(WriteAsync);
    }

    public void Write(AuditEvent auditEvent)
    {
        if (_log is not null) _queue.Writer.TryWrite(auditEvent);
    }

    private async Task WriteAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await _log!.AppendAsync(e);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
            {
                // The log was closed under us (shutdown); losing the tail is better than hanging the gateway.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
