using Airlock.Core.Policy;
using Airlock.Policy;

namespace Airlock.Core.Anomalies;

/// <summary>
/// Rules that watch every sandbox unless its policy has a rule on the same counter. They only alert: stopping an
/// agent is a choice its owner makes in the policy (<c>then: pause</c>), not one Airlock makes silently.
/// </summary>
internal static class AnomalyDefaults
{
    public static IReadOnlyList<AnomalyRule> Rules { get; } =
    [
        Rule("failed_access > 20 in 1m"),
        Rule("policy_denied > 20 in 1m"),
        Rule("egress_denied > 50 in 1m"),
        Rule("exec_rate > 1200 in 1m"),
        Rule("canary_access > 0"),
        Rule("cpu_percent >= 95 for 5m"),
        Rule("memory_percent >= 95 for 1m"),
    ];

    /// <summary>The policy's rules, plus each default whose counter the policy does not watch itself.</summary>
    public static IReadOnlyList<AnomalyRule> For(SandboxPolicy? policy)
    {
        var own = policy?.Anomalies ?? [];
        var watched = own.Select(r => r.When.Counter).ToHashSet(StringComparer.Ordinal);
        return [.. own, .. Rules.Where(r => !watched.Contains(r.When.Counter))];
    }

    private static AnomalyRule Rule(string when) =>
        AnomalyConditionParser.TryParse(when, out var condition, out var error)
            ? new AnomalyRule { When = condition!, Then = AnomalyAction.Alert }
            : throw new InvalidOperationException(error);
}
