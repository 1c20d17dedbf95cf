using System.Diagnostics;
using Airlock.Client;

namespace Airlock.RedTeam.Host;

/// <summary>One call to the daemon's health route, bounded to 5 s: how long it took, or null when it did not answer.</summary>
internal static class DaemonHealth
{
    public static async Task<TimeSpan?> ProbeAsync(AirlockClient client, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        try
        {
            await client.GetHealthAsync(timeout.Token);
            return clock.Elapsed;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or AirlockException)
        {
            if (cancellationToken.IsCancellationRequested) throw;
            return null;
        }
    }
}
