namespace Airlock.Egress;

/// <summary>
/// Counts distinct denied names per base domain in a sliding minute: a tunnel encodes data in thousands of unique
/// subdomains of one domain it controls, which no ordinary program asks for. Fires once per domain per window.
/// </summary>
internal sealed class DnsTunnelDetector(TimeProvider time)
{
    /// <summary>Distinct denied names under one domain in a window that raise the alert.</summary>
    public const int Threshold = 50;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Domain> _domains = new(StringComparer.Ordinal);

    /// <summary>Records a denied lookup; returns the distinct count when this lookup crosses the threshold, else null.</summary>
    public int? Observe(string name)
    {
        var baseDomain = BaseDomain(name);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_domains.TryGetValue(baseDomain, out var domain) || now - domain.Since > Window)
            {
                // Bounded: a sandbox asking for random *base* domains must not grow this without end.
                if (_domains.Count > 10_000) _domains.Clear();
                domain = new Domain(now);
                _domains[baseDomain] = domain;
            }

            if (domain.Names.Count < Threshold * 4) domain.Names.Add(name);
            if (domain.Names.Count < Threshold || domain.Fired) return null;
            domain.Fired = true;
            return domain.Names.Count;
        }
    }

    /// <summary>The last two labels: what a tunnel's operator registers (no public-suffix list; a co.uk tunnel counts under co.uk, still alerting).</summary>
    public static string BaseDomain(string name)
    {
        var labels = name.TrimEnd('.').Split('.');
        return labels.Length <= 2 ? string.Join('.', labels) : $"{labels[^2]}.{labels[^1]}";
    }

    private sealed class Domain(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public bool Fired { get; set; }
    }
}
