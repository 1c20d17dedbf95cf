using Airlock.Policy;

namespace Airlock.Egress;

/// <summary>
/// A secret the sandbox holds only as <paramref name="Placeholder"/>; the gateway swaps in <paramref name="Value"/> on
/// requests to <paramref name="Hosts"/>. <paramref name="Header"/> names the header it is expected in (informational:
/// the placeholder is replaced wherever it appears in a request to a listed host).
/// </summary>
public sealed record EgressSecret(string Name, string Placeholder, string Value, IReadOnlyList<EgressTarget> Hosts, string? Header);
