using System.Globalization;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// What a sandbox's policy changes at creation: its isolation floor, its limits (defaults where the request
/// gives none, ceilings where it gives more), and its <c>files</c> rules, which every backend enforces with
/// mounts inside the sandbox (see <see cref="FileRuleChecks"/> for what a rule may name). Egress sections are enforced by the
/// egress gateway on every tier; a backend that could not attach its sandbox to the gateway's network refuses the
/// create (<c>BackendCreateRequest.Network</c>): a security policy is never accepted and then silently ignored.
/// </summary>
internal static class PolicyApplication
{
    /// <summary>
    /// Parses <paramref name="policyText"/> (YAML or JSON) and applies it to <paramref name="spec"/>; null text leaves the
    /// spec alone. <c>Files</c> are the policy's path rules, in the order written, for the backend to mount.
    /// </summary>
    public static (SandboxSpec Spec, string? IsolationMinimum, IReadOnlyList<FileRule> Files, SandboxPolicy? Policy) Apply(SandboxSpec spec, string? policyText)
    {
        if (policyText is null) return (spec, null, [], null);
        var policy = PolicyLoader.Load(policyText, "policy");
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
        return (spec with { Limits = applied, Ttl = ttl }, minimum, policy.Files, policy);
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

    /// <summary>Whether a sandbox gets a network namespace of its own behind the egress gateway; without it it has loopback only.</summary>
    public static bool NeedsEgress(SandboxPolicy policy) =>
        policy.Network.Allow.Count > 0 || policy.Secrets.Count > 0 || policy.Limits.EgressRateBitsPerSecond is not null;
}
