namespace Airlock.Core.Network;

/// <summary>
/// Test-only wiring of a sandbox's gateway to a test's own "internet": names resolved to the test's listeners and
/// extra roots for upstream TLS. It only points the gateway at more places; it never widens what a policy allows.
/// Given to the engine explicitly (<see cref="Engine.EngineOptions.EgressTestWiring"/>, as the red-team battery
/// does) or read from <c>AIRLOCK_TEST_EGRESS_HOSTS</c>/<c>AIRLOCK_TEST_EGRESS_TRUST</c> (see <see cref="EgressTestHooks"/>).
/// </summary>
public sealed record EgressTestWiring
{
    /// <summary>Name (lower case) -> addresses the gateway resolves it to.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> StaticHosts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>A PEM file of extra roots the gateway trusts upstream.</summary>
    public string? UpstreamTrustPath { get; init; }
}
