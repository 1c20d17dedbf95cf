using Airlock.Policy;

namespace Airlock.Core.Policy.Decisions;

/// <summary>
/// The policy engine's decision function: request + policy -> allow, deny or needs approval, with the rule that
/// decided. Pure: no clock, no I/O, no kernel, so every rule is unit-tested and a plan can be vetted before anything runs.
/// Order: <c>tools.deny</c>, then what the sandbox's own rules forbid (read-only and hidden paths, hosts outside
/// <c>network.allow</c>), then <c>tools.approval</c>; anything else is allowed.
/// </summary>
public static class PolicyDecider
{
    public static PolicyDecision Decide(SandboxPolicy policy, PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(action);
        if (FirstMatch(policy.Tools.Deny, action) is { } denyRule)
        {
            return new(PolicyVerdict.Deny, $"tools.deny: {denyRule}", $"'{action.Describe()}' matches the denied pattern '{denyRule}'");
        }

        if (Forbidden(policy, action) is { } forbidden) return forbidden;

        if (FirstMatch(policy.Tools.Approval, action) is { } approvalRule)
        {
            return new(PolicyVerdict.NeedsApproval, $"tools.approval: {approvalRule}", $"'{action.Describe()}' matches '{approvalRule}', which needs a person's approval");
        }

        return PolicyDecision.AllowedByDefault;
    }

    private static string? FirstMatch(IReadOnlyList<string> patterns, PolicyAction action) =>
        patterns.FirstOrDefault(p => ToolPattern.Matches(p, action));

    private static PolicyDecision? Forbidden(SandboxPolicy policy, PolicyAction action) => action switch
    {
        FileAction file => FileRuleVerdict(policy, file),
        NetworkAction network => NetworkVerdict(policy, network),
        _ => null,
    };

    /// <summary>The most specific <c>files</c> rule covering the path decides; the mounts enforce the same rule in the sandbox.</summary>
    private static PolicyDecision? FileRuleVerdict(SandboxPolicy policy, FileAction action)
    {
        var rule = policy.Files
            .Where(r => PathGlob.IsUnder(action.Path, r.Path))
            .OrderByDescending(r => r.Path.Length)
            .FirstOrDefault();
        if (rule is null) return null;
        var name = $"files: {rule.Path} {AccessName(rule.Access)}";
        return (rule.Access, action.Operation) switch
        {
            (PathAccess.Hidden, _) => new(PolicyVerdict.Deny, name, $"{action.Path} is hidden from the sandbox by the policy"),
            (PathAccess.ReadOnly, not FileOperation.Read) => new(PolicyVerdict.Deny, name, $"{action.Path} is read-only by the policy"),
            _ => null,
        };
    }

    private static PolicyDecision? NetworkVerdict(SandboxPolicy policy, NetworkAction action)
    {
        if (policy.Network.Allow.FirstOrDefault(t => EgressMatch.Matches(t, action.Host, action.Port)) is not null) return null;
        if (policy.Tools.Approval.Contains(ToolPattern.NewHost, StringComparer.Ordinal))
        {
            return new(PolicyVerdict.NeedsApproval, $"tools.approval: {ToolPattern.NewHost}", $"{action.Host} is not in network.allow; a new host needs a person's approval");
        }

        return new(PolicyVerdict.Deny, "network.allow", $"{action.Describe()[8..]} is not in network.allow (egress is denied by default)");
    }

    internal static string AccessName(PathAccess access) => access switch
    {
        PathAccess.ReadOnly => "read-only",
        PathAccess.Hidden => "hidden",
        _ => "read-write",
    };
}
