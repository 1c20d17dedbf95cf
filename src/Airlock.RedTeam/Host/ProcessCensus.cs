namespace Airlock.RedTeam.Host;

/// <summary>
/// The facts of every host process in a sandbox's cgroups, taken before an attack (the baseline) and
/// repeatedly while it runs. A finding is something the baseline did not have: a namespace no sandbox
/// process was in, a grown mount table, a privileged host uid, a refused kernel object, a raw socket. On the
/// gVisor and microVM tiers the host processes are runsc's and QEMU's: whatever the attack did inside the
/// sentry or the guest kernel, these must not change.
/// </summary>
internal sealed class ProcessCensus(IReadOnlyList<ProcessFacts> processes)
{
    public IReadOnlyList<ProcessFacts> Processes { get; } = processes;

    public static ProcessCensus Take(SandboxCgroups cgroups) =>
        new([.. cgroups.Processes().Select(ProcessFacts.Read).OfType<ProcessFacts>()]);

    public string Describe() =>
        $"{Processes.Count} host process(es) [{string.Join(",", Processes.Select(p => p.Comm).Distinct())}]";

    /// <summary>What <paramref name="later"/> has that this baseline does not.</summary>
    public IReadOnlyList<string> FindingsIn(ProcessCensus later)
    {
        var findings = new List<string>();
        var known = Processes.SelectMany(p => p.Namespaces.Select(n => n.Key + "=" + n.Value)).ToHashSet();
        var mountsByNs = Processes.GroupBy(p => p.Namespaces.GetValueOrDefault("mnt") ?? "").ToDictionary(g => g.Key, g => g.Max(p => p.Mounts));
        var uids = Processes.Select(p => (p.RealUid, p.EffectiveUid)).ToHashSet();
        var raw = Processes.Select(p => p.RawSockets).DefaultIfEmpty().Max();
        var packet = Processes.Select(p => p.PacketSockets).DefaultIfEmpty().Max();
        var other = Processes.Select(p => p.OtherFamilySockets).DefaultIfEmpty().Max();
        var anon = Processes.SelectMany(p => p.AnonInodes).ToHashSet();
        foreach (var p in later.Processes)
        {
            var who = $"host pid {p.Pid} ({p.Comm})";
            foreach (var (kind, link) in p.Namespaces)
            {
                if (!known.Contains(kind + "=" + link)) findings.Add($"{who} is in a new {kind} namespace {link}");
            }

            var ns = p.Namespaces.GetValueOrDefault("mnt") ?? "";
            if (mountsByNs.TryGetValue(ns, out var before) && p.Mounts > before) findings.Add($"{who}: its mount table grew from {before} to {p.Mounts} mounts");
            if (!uids.Contains((p.RealUid, p.EffectiveUid)) && (p.EffectiveUid == 0 || p.EffectiveUid != p.RealUid))
            {
                findings.Add($"{who} runs with host uid {p.RealUid}, effective {p.EffectiveUid}");
            }

            foreach (var kind in p.AnonInodes.Where(k => !anon.Contains(k)).Distinct()) findings.Add($"{who} holds a host kernel {kind} object");
            if (p.RawSockets > raw) findings.Add($"{who}: its network namespace has {p.RawSockets} raw socket(s)");
            if (p.PacketSockets > packet) findings.Add($"{who}: its network namespace has {p.PacketSockets} packet socket(s)");
            // The guest agent's own channel and runsc's sentry/gofer ("exe") hold sockets the census cannot tell from
            // AF_ALG/AF_VSOCK; an attack's socket is held by the attacking process (python3, sh), which is checked.
            if (p.Comm is not ("agent" or "airlock-agent" or "exe") && p.OtherFamilySockets > other) findings.Add($"{who} holds {p.OtherFamilySockets} socket(s) of a family outside inet/unix/netlink (AF_ALG, AF_VSOCK, ...)");
        }

        return findings;
    }
}
