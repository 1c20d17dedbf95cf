using System.Globalization;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// What a sandbox's policy changes at creation: its isolation floor, and its limits (defaults where the request
/// gives none, ceilings where it gives more). Sections this version cannot yet enforce are refused by name:
/// a security policy is never accepted and then silently ignored.
/// </summary>
internal static class PolicyApplication
{
    /// <summary>Parses <paramref name="policyText"/> (YAML or JSON) and applies it to <paramref name="spec"/>; null text leaves the spec alone.</summary>
    public static (SandboxSpec Spec, string? IsolationMinimum) Apply(SandboxSpec spec, string? policyText)
    {
        if (policyText is null) return (spec, null);
        var policy = PolicyLoader.Load(policyText, "policy");
        RequireEnforceable(policy);
        var limits = policy.Limits;
        var asked = spec.Limits;
        var applied = asked with
        {
            Cpus = Ceiling("cpus", asked.Cpus, limits.Cpus, c => c.ToString(CultureInfo.InvariantCulture)),
            MemoryBytes = Ceiling("memory", asked.MemoryBytes, limits.MemoryBytes, Units.FormatSize),
            Pids = Ceiling("pids", asked.Pids, limits.Pids, p => p.ToString(CultureInfo.InvariantCulture)),
            DiskBytes = Ceiling("disk", asked.DiskBytes, limits.DiskBytes, Units.FormatSize),
        };
        var ttl = Ceiling("timeout", spec.Ttl, limits.Timeout, t => $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        var minimum = policy.Isolation.Minimum?.ToString().ToLowerInvariant();
        return (spec with { Limits = applied, Ttl = ttl }, minimum);
    }

    private static T? Ceiling<T>(string name, T? asked, T? policy, Func<T, string> format)
        where T : struct, IComparable<T>
    {
        if (policy is not { } ceiling) return asked;
        if (asked is not { } value) return ceiling;
        return value.CompareTo(ceiling) <= 0
            ? value
            : throw AirlockException.Invalid($"{name} {format(value)} exceeds the policy's limit of {format(ceiling)}");
    }

    private static void RequireEnforceable(SandboxPolicy policy)
    {
        var unsupported = new List<string>();
        if (policy.Network.Allow.Count > 0) unsupported.Add("network.allow (the egress gateway)");
        if (policy.Limits.EgressRateBitsPerSecond is not null) unsupported.Add("limits.egress_rate (the egress gateway)");
        if (policy.Secrets.Count > 0) unsupported.Add("secrets (the egress gateway)");
        if (policy.Files.Count > 0) unsupported.Add("files (governance)");
        if (policy.Anomalies.Count > 0) unsupported.Add("anomalies (governance)");
        if (unsupported.Count > 0)
        {
            throw AirlockException.Invalid(
                $"this version of Airlock does not enforce these policy sections yet, and will not accept a policy it would ignore: {string.Join(", ", unsupported)}. " +
                "It enforces isolation, limits, tools and approval_timeout; without network.allow a sandbox has no network at all.");
        }
    }
}
