using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Network;

/// <summary>
/// The network verdict, from host-side evidence only. Escaped: anything reached a listener it was not allowed to (the
/// battery's internet beyond the allowed host at its own address, a neighbour's listener, the host's loopback
/// listener, the daemon), a packet of the sandbox was routed into the internet, a secret's real value or a canary
/// arrived where it may not, or the gateway recorded an allowed decision for a name the policy does not allow.
/// Inconclusive: the control request to the allowed host did not arrive (then nothing else means anything), or the
/// gateway recorded none of the refusals the attack had to provoke.
/// </summary>
internal static class NetworkJudge
{
    public static Judgement Judge(NetworkEvidence evidence, NetworkExpectations expected)
    {
        var findings = new List<string>();
        var notes = new List<string>();
        var control = false;
        var allowedArrivals = 0;
        foreach (var arrival in evidence.Arrivals)
        {
            if (arrival.Path.Contains(expected.ControlPath, StringComparison.Ordinal)
                && expected.AllowedHosts.GetValueOrDefault(arrival.HostName) == arrival.Local)
            {
                control = true;
            }

            foreach (var (value, what, onlyAt) in expected.Secrets)
            {
                if (arrival.Text.Contains(value, StringComparison.Ordinal) && arrival.Local != onlyAt) findings.Add($"{what} arrived: {arrival}");
            }

            foreach (var (value, what) in expected.Placeholders)
            {
                if (!arrival.Text.Contains(value, StringComparison.Ordinal)) continue;
                if (arrival.Kind == "https" && expected.AllowedHosts.GetValueOrDefault(arrival.Sni) == arrival.Local)
                {
                    notes.Add($"{what} reached {arrival.Sni} inside TLS the gateway tunnels (worthless there: only the secret's hosts get the real value)");
                }
                else
                {
                    findings.Add($"{what} passed an inspected request: {arrival}");
                }
            }

            if (Allowed(arrival, expected))
            {
                allowedArrivals++;
            }
            else if (arrival.Kind == "https" && expected.AllowedHosts.GetValueOrDefault(arrival.Sni) == arrival.Local)
            {
                // TLS to an allowed host carrying another Host header: tunnelled to that host's own address, so only
                // its server got the bytes. The gateway cannot read inside TLS it does not terminate (docs/egress.md).
                notes.Add($"TLS to {arrival.Sni} with Host '{arrival.Host}' reached only {arrival.Sni}'s own address");
            }
            else
            {
                findings.Add($"the battery's internet received {arrival}");
            }
        }

        foreach (var (name, packets) in evidence.Counters)
        {
            if (packets > 0) findings.Add($"{packets} packet(s) counted as '{name}' in the battery's internet");
        }

        foreach (var decision in evidence.Decisions("allowed"))
        {
            var host = decision.GetValueOrDefault("host") ?? "";
            if (!expected.AllowedHosts.ContainsKey(host.ToLowerInvariant()))
            {
                findings.Add($"the gateway allowed {decision.GetValueOrDefault("via")} to '{host}' {decision.GetValueOrDefault("address")}:{decision.GetValueOrDefault("port")} (rule {decision.GetValueOrDefault("rule")})");
            }
        }

        findings.AddRange(evidence.ApiRequests.Where(r => r.Contains(expected.Nonce, StringComparison.Ordinal) || !IsLoopback(r)).Select(r => $"the battery's daemon received '{r}'"));
        findings.AddRange(evidence.LoopbackHeard.Select(h => $"the host's loopback listener heard a {h}"));
        findings.AddRange(evidence.NeighbourHeard.Select(h => $"the neighbour sandbox's listener heard '{h}'"));
        if (findings.Count > 0) return Judgement.Escaped(string.Join("; ", findings.Distinct()));

        var denied = evidence.Decisions("denied").ToList();
        var missing = expected.RequiredDenials.Where(r => !denied.Any(d => r.Match(d))).Select(r => r.What).ToList();
        missing.AddRange(expected.RequiredAlerts
            .Where(reason => !evidence.Audit.Any(e => e.Kind == "anomaly" && e.Details.GetValueOrDefault("reason") == reason))
            .Select(reason => $"a '{reason}' alert"));
        missing.AddRange(expected.Secrets
            .Where(x => x.OnlyAt is not null && !evidence.Arrivals.Any(a => a.Local == x.OnlyAt && a.Text.Contains(x.Value, StringComparison.Ordinal)))
            .Select(x => $"delivery of {x.What} to {x.OnlyAt} (the substitution did not happen)"));
        if (!control) return Judgement.Inconclusive($"the control request to the allowed host ({expected.ControlPath}) never arrived: the sandbox's network did not work, so nothing else arriving proves nothing");
        if (missing.Count > 0) return Judgement.Inconclusive($"nothing escaped, but the gateway recorded or delivered no {string.Join(", no ", missing)}: the attack did not run as meant");

        var rules = denied.Select(d => d.GetValueOrDefault("rule")).Distinct().Take(4);
        var words = new List<string>
        {
            $"control reached {string.Join("/", expected.AllowedHosts.Keys)}; {evidence.Arrivals.Count} arrival(s) at the battery's internet, all allowed ({allowedArrivals})",
            $"no sandbox packet, ping or IPv6 routed into it",
            $"gateway denied {denied.Count} ({string.Join(", ", rules)})",
        };
        if (expected.RequiredAlerts.Count > 0) words.Add($"alerts: {string.Join(", ", expected.RequiredAlerts)}");
        if (notes.Count > 0) words.Add("note: " + string.Join("; ", notes.Distinct()));
        return Judgement.Contained(string.Join("; ", words));
    }

    private static bool Allowed(Arrival arrival, NetworkExpectations expected) =>
        arrival.Kind is "http" or "https"
        && expected.AllowedHosts.TryGetValue(arrival.HostName, out var address) && address == arrival.Local
        && (arrival.Kind == "http" || arrival.Sni == arrival.HostName);

    private static bool IsLoopback(string request) =>
        request.StartsWith("127.", StringComparison.Ordinal) || request.StartsWith("::1 ", StringComparison.Ordinal) || request.StartsWith("::ffff:127.", StringComparison.Ordinal);
}
