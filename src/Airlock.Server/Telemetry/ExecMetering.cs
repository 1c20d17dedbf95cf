using Airlock.Core.Telemetry;

namespace Airlock.Server.Telemetry;

/// <summary>
/// Times a command from the exec request to its exit event and records it in <c>airlock_exec_duration_seconds</c>
/// by tier. Measured here rather than in the engine so that it is what an API caller waits for, on any engine.
/// </summary>
internal sealed class ExecMetering(AirlockMetrics metrics, ISandboxOperations sandboxes, TimeProvider time)
{
    public const string UnknownTier = "unknown";

    public long Start() => time.GetTimestamp();

    /// <summary>
    /// The sandbox's tier, looked up alongside the exec so that the lookup is off the latency being measured.
    /// Never throws: a sandbox that cannot be read counts as <c>unknown</c>.
    /// </summary>
    public async Task<string> TierOfAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return (await sandboxes.GetAsync(id, cancellationToken)).Isolation;
        }
        catch (Exception e) when (e is AirlockException or OperationCanceledException)
        {
            return UnknownTier;
        }
    }

    /// <summary>Called before the exit event is sent, so that a client that saw the exit also sees it counted.</summary>
    public void Record(string tier, long started, ExecResult result) =>
        metrics.RecordExec(tier, time.GetElapsedTime(started), result.ExitCode);
}
