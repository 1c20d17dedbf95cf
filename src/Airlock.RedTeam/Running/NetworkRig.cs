using Airlock.RedTeam.Host.Internet;

namespace Airlock.RedTeam.Running;

/// <summary>
/// What the network cases need from the battery: its internet (started only when network cases run; when it cannot
/// start, why — the cases are then inconclusive, never contained) and the in-process daemon's request log.
/// </summary>
internal sealed class NetworkRig : IAsyncDisposable
{
    private NetworkRig(BatteryInternet? internet, string? failure)
    {
        Internet = internet;
        Failure = failure;
    }

    public BatteryInternet? Internet { get; }

    /// <summary>Why there is no internet: not asked for, or it failed to start.</summary>
    public string? Failure { get; }

    public ApiRequestLog ApiRequests { get; } = new();

    public static async Task<NetworkRig> StartAsync(bool internet)
    {
        if (!internet) return new NetworkRig(null, "the battery's internet was not started (no network case selected)");
        try
        {
            return new NetworkRig(await BatteryInternet.StartAsync(), null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return new NetworkRig(null, $"the battery's internet did not start: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Internet is not null) await Internet.DisposeAsync();
    }
}
