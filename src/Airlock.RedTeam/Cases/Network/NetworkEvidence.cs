using Airlock.Audit;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// What the host gathered around one network attack, none of it written by the sandbox: what reached the battery's
/// internet (its listeners' log and packet counters), the gateway's audit records for the sandbox, who reached the
/// battery's daemon and its loopback listener, and what a neighbour sandbox's listener heard.
/// </summary>
internal sealed record NetworkEvidence
{
    public required IReadOnlyList<Arrival> Arrivals { get; init; }

    /// <summary>Packets counted in the internet's namespace during the attack, by counter.</summary>
    public required IReadOnlyDictionary<string, long> Counters { get; init; }

    /// <summary>The sandbox's audit events (network.decision and anomaly records among them).</summary>
    public required IReadOnlyList<AuditEvent> Audit { get; init; }

    public IReadOnlyList<string> ApiRequests { get; init; } = [];

    public IReadOnlyList<string> LoopbackHeard { get; init; } = [];

    public IReadOnlyList<string> NeighbourHeard { get; init; } = [];

    public IEnumerable<IReadOnlyDictionary<string, string>> Decisions(string decision) =>
        Audit.Where(e => e.Kind == "network.decision" && e.Details.GetValueOrDefault("decision") == decision).Select(e => e.Details);
}
