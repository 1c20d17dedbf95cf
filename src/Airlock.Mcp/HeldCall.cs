using ModelContextProtocol;

namespace Airlock.Mcp;

/// <summary>Runs a sandbox call with an <see cref="ApprovalWatch"/> beside it; returns the result and the approval it waited for, if any.</summary>
internal static class HeldCall
{
    public static async Task<(T Result, ApprovalInfo? Approval)> RunAsync<T>(McpBackend backend, string sandboxId, IProgress<ProgressNotificationValue>? progress, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var watch = progress is null ? null : ApprovalWatch.Start(backend, sandboxId, progress, cancellationToken);
        try
        {
            return (await call(), watch?.Seen);
        }
        finally
        {
            if (watch is not null) await watch.DisposeAsync();
        }
    }
}
