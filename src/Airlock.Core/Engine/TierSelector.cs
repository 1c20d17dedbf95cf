using Airlock.Core.Backends;

namespace Airlock.Core.Engine;

/// <summary>Picks the isolation tier for a request: the one asked for, or for <c>auto</c> the strongest this host runs.</summary>
internal static class TierSelector
{
    /// <summary>Strongest first. microvm joins <c>auto</c> only with KVM, which its backend's probe decides.</summary>
    private static readonly string[] AutoOrder = ["microvm", "gvisor", "container"];

    public static (ISandboxBackend Backend, string Reason) Select(string isolation, IReadOnlyList<ISandboxBackend> backends)
    {
        if (isolation != "auto")
        {
            var backend = backends.FirstOrDefault(b => b.Tier == isolation)
                ?? throw AirlockException.Unavailable($"isolation '{isolation}' is not available in this build of Airlock; `airlock doctor` lists the tiers");
            var probe = backend.Probe();
            if (!probe.Available)
            {
                throw AirlockException.Unavailable($"isolation '{isolation}' is not available on this host: {probe.Reason}" + (probe.Fix is null ? "" : $"; fix: {probe.Fix}"));
            }

            return (backend, $"{isolation}: asked for explicitly");
        }

        var skipped = new List<string>();
        foreach (var tier in AutoOrder)
        {
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
                var why = skipped.Count == 0 ? "strongest tier" : $"strongest available tier ({string.Join("; ", skipped)})";
                return (backend, $"auto: {why}");
            }

            skipped.Add($"{tier}: {probe.Reason}");
        }

        throw AirlockException.Unavailable($"no isolation tier is available on this host ({string.Join("; ", skipped)}); run `airlock doctor`");
    }
}
