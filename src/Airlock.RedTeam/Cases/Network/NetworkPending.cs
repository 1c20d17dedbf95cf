using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// The extension point for the network category: the egress gateway is not in this build, so the category
/// reports itself as not run rather than passing silently. Network cases will target only listeners the battery
/// starts on 127.0.0.0/8 or in namespaces it creates.
/// </summary>
internal sealed class NetworkPending : IAttackCase
{
    public string Category => Categories.Network;

    public string Name => "egress";

    public string Attempts => "metadata endpoint, non-allowlisted hosts, raw IP around the proxy, DNS tunnelling, domain fronting (when the egress gateway lands)";

    public Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Judgement.NotRun("not run: egress gateway not present"));
}
