namespace Airlock.Core.Network;

/// <summary>
/// Test-only wiring of a gateway to a test's own "internet" (names mapped to listeners in a namespace the test
/// made, and the test's CA), read from the creating process's environment:
/// <c>AIRLOCK_TEST_EGRESS_HOSTS</c> = <c>name=addr[,name=addr...]</c>, <c>AIRLOCK_TEST_EGRESS_TRUST</c> = a PEM file.
/// Unset in production; they can only point the gateway at more places, never widen what a policy allows.
/// </summary>
internal static class EgressTestHooks
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> StaticHosts()
    {
        var map = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (Environment.GetEnvironmentVariable("AIRLOCK_TEST_EGRESS_HOSTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var name = entry[..eq].Trim().ToLowerInvariant();
            if (!map.TryGetValue(name, out var addresses)) map[name] = addresses = [];
            addresses.Add(entry[(eq + 1)..].Trim());
        }

        return map.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
    }

    public static string? UpstreamTrustPath() =>
        Environment.GetEnvironmentVariable("AIRLOCK_TEST_EGRESS_TRUST") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>The wiring in this process's environment (empty when unset).</summary>
    public static EgressTestWiring FromEnvironment() => new() { StaticHosts = StaticHosts(), UpstreamTrustPath = UpstreamTrustPath() };
}
