using Airlock.Core.Backends;

namespace Airlock.Core.Engine;

/// <summary>
/// Picks the isolation tier for a request: the one asked for, or for <c>auto</c> the first of the configured
/// order that this host runs — never one weaker than the policy's floor, and never silently: the reason says
/// which tiers were passed over and why.
/// </summary>
internal static class TierSelector
{
    /// <summary>Weakest first: the boundary each tier puts between the sandbox and the host kernel.</summary>
    private static readonly string[] ByStrength = ["container", "gvisor", "microvm"];

    /// <summary>Strongest first. microvm joins <c>auto</c> only with KVM, which its backend's probe decides.</summary>
    public static readonly IReadOnlyList<string> DefaultAutoOrder = ["microvm", "gvisor", "container"];

    /// <summary>0 for container, 1 for gvisor, 2 for microvm; -1 for anything else.</summary>
    public static int Strength(string tier) => Array.IndexOf(ByStrength, tier);

    /// <param name="minimum">The policy's isolation floor, or null.</param>
    /// <param name="autoOrder">The order <c>auto</c> tries; <see cref="DefaultAutoOrder"/> when null.</param>
    public static (ISandboxBackend Backend, string Reason) Select(string isolation, IReadOnlyList<ISandboxBackend> backends, string? minimum = null, IReadOnlyList<string>? autoOrder = null)
    {
        if (minimum is not null && Strength(minimum) < 0)
        {
            throw AirlockException.Invalid($"isolation minimum '{minimum}' is not a tier (use {string.Join(", ", ByStrength)})");
        }

        var floor = minimum is null ? "" : $"; policy minimum {minimum}";
        if (isolation != "auto")
        {
            if (minimum is not null && Strength(isolation) < Strength(minimum))
            {
                throw AirlockException.Invalid($"isolation '{isolation}' is weaker than the policy's minimum '{minimum}'; ask for {string.Join(" or ", ByStrength.Where(t => Strength(t) >= Strength(minimum)))}, or use auto");
            }

            var backend = backends.FirstOrDefault(b => b.Tier == isolation)
                ?? throw AirlockException.Unavailable($"isolation '{isolation}' is not available in this build of Airlock; `airlock doctor` lists the tiers");
            var probe = backend.Probe();
            if (!probe.Available)
            {
                throw AirlockException.Unavailable($"isolation '{isolation}' is not available on this host: {probe.Reason}" + (probe.Fix is null ? "" : $"; fix: {probe.Fix}"));
            }

            return (backend, $"{isolation}: asked for explicitly{floor}");
        }

        var skipped = new List<string>();
        var order = autoOrder ?? DefaultAutoOrder;
        foreach (var tier in order)
        {
            if (minimum is not null && Strength(tier) < Strength(minimum))
            {
                skipped.Add($"{tier}: below the policy's minimum {minimum}");
                continue;
            }

            var backend = backends.FirstOrDefault(b => b.Tier == tier);
            if (backend is null)
            {
                skipped.Add($"{tier}: not built in");
                continue;
            }

            var probe = backend.Probe();
            if (probe is { Available: true, NotForAuto: { } notForAuto })
            {
                skipped.Add($"{tier}: {notForAuto}");
                continue;
            }

            if (probe.Available)
            {
                var passedOver = skipped.Count == 0 ? "" : $" (passed over {string.Join("; ", skipped)})";
                return (backend, $"auto: first tier of {string.Join(" > ", order)} that this host runs{passedOver}{floor}");
            }

            skipped.Add($"{tier}: {probe.Reason}");
        }

        throw minimum is null
            ? AirlockException.Unavailable($"no isolation tier is available on this host ({string.Join("; ", skipped)}); run `airlock doctor`")
            : AirlockException.Unavailable($"the policy requires isolation of at least '{minimum}', and this host cannot give it ({string.Join("; ", skipped)}); Airlock refuses rather than downgrade");
    }

    /// <summary>Parses a configured order ("gvisor,container"): known tiers, each once.</summary>
    public static IReadOnlyList<string> ParseOrder(string text)
    {
        var order = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = order.Where(t => Strength(t) < 0).ToList();
        if (order.Length == 0 || unknown.Count > 0 || order.Distinct(StringComparer.Ordinal).Count() != order.Length)
        {
            throw AirlockException.Invalid($"tier order '{text}' must list tiers from {string.Join(", ", ByStrength)}, each at most once (e.g. gvisor,container)");
        }

        return order;
    }
}
