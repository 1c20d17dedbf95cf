using Airlock.Access;
using ModelContextProtocol;

namespace Airlock.Mcp;

/// <summary>
/// While a tool call may be held by the governance stage for a person's approval (a policy's <c>tools.approval</c>),
/// looks for the pending approval this caller's call raised and reports it as an MCP progress notification naming the
/// approval id and how to resolve it. The call itself keeps waiting and returns the outcome once a person answers
/// (or the policy's approval timeout refuses it), so the client is never left waiting without a word.
/// </summary>
internal sealed class ApprovalWatch : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    private ApprovalWatch(IApprovalOperations approvals, string sandboxId, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var actor = CallerContext.Current.Actor;
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        _loop = Task.Run(() => LoopAsync(approvals, sandboxId, actor, since, progress, _stop.Token), CancellationToken.None);
    }

    /// <summary>The approval the call waited for, once seen.</summary>
    public ApprovalInfo? Seen { get; private set; }

    public static ApprovalWatch? Start(McpBackend backend, string sandboxId, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken) =>
        backend.Approvals is { } approvals ? new ApprovalWatch(approvals, sandboxId, progress, cancellationToken) : null;

    public static string Pending(ApprovalInfo approval) =>
        $"waiting for a person to approve {approval.Id} ({approval.Action}; {approval.Rule}); it expires at {approval.ExpiresAt:u}. " +
        $"Resolve it with 'airlock approvals approve {approval.Id}' or 'airlock approvals deny {approval.Id} --reason ...', " +
        $"or POST /v1/approvals/{approval.Id}/approve (or /deny) on the daemon; this call returns the outcome then.";

    private async Task LoopAsync(IApprovalOperations approvals, string sandboxId, string actor, DateTimeOffset since, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, cancellationToken);
                var pending = await approvals.ListAsync(pendingOnly: true, cancellationToken);
                var mine = pending.FirstOrDefault(a => a.SandboxId == sandboxId && a.RequestedBy == actor && a.CreatedAt >= since);
                if (mine is null) continue;
                Seen = mine;
                progress.Report(new ProgressNotificationValue { Progress = 0, Message = Pending(mine) });
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (AirlockException)
        {
            // A token without approvals scope cannot list them (through --host): the call still waits and returns its outcome.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
