using Airlock.RedTeam.Host.Checks;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases;

/// <summary>
/// The common shape of an attack: a fresh sandbox, a script (sh, or python3 when <see cref="Python"/>) run with a
/// time bound, and a host-side judgement that combines (1) host secrets searched for in everything the attack
/// printed — the secrets exist only on the host, so finding one is proof; (2) the census of the sandbox's host
/// processes sampled while it ran; (3) the host marker files unchanged; (4) the case's own host checks. What the
/// script prints about its own success is shown as context, never counted.
/// </summary>
internal sealed class ScriptAttack : IAttackCase
{
    public required string Category { get; init; }

    public required string Name { get; init; }

    public required string Attempts { get; init; }

    public required Func<CaseContext, string> Script { get; init; }

    public bool Python { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public ResourceLimits? Limits { get; init; }

    /// <summary>Extra host state to compare before/after; created per run (checks hold state).</summary>
    public Func<IReadOnlyList<IHostCheck>> Checks { get; init; } = () => [];

    /// <summary>Further values that exist only on the host (its kernel symbols, its disk's first bytes): proof when printed.</summary>
    public Func<CaseContext, IReadOnlyList<(string Secret, string What)>> HostSecrets { get; init; } = _ => [];

    /// <summary>The case means nothing without host secrets to look for (it is then inconclusive, not contained).</summary>
    public bool NeedsHostSecrets { get; init; }

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateSandboxAsync(Limits, cancellationToken: cancellationToken);
        var checks = Checks();
        foreach (var check in checks) await check.BeforeAsync(context, sandbox.Id, cancellationToken);
        AttackRun run;
        IReadOnlyList<string> censusFindings;
        string census;
        await using (var watch = context.Watch(sandbox.Id))
        {
            var script = Script(context);
            run = Python
                ? await context.PythonAsync(sandbox.Id, script, Timeout, cancellationToken)
                : await context.ShellAsync(sandbox.Id, script, Timeout, cancellationToken);
            await Task.Delay(300, cancellationToken);
            censusFindings = watch.Findings;
            census = $"census of {watch.Baseline.Describe()} x{watch.Samples}: nothing new";
        }

        var findings = new List<string>();
        findings.AddRange(context.Markers.LeakedIn(run.Output).Select(l => $"the attack's output holds {l}"));
        var secrets = HostSecrets(context);
        foreach (var (secret, what) in secrets)
        {
            if (secret.Length >= 8 && run.Output.Contains(secret, StringComparison.OrdinalIgnoreCase)) findings.Add($"the attack's output holds {what}");
        }

        findings.AddRange(censusFindings);
        findings.AddRange(context.Markers.Tampered());
        var evidence = new List<string> { $"{run.TotalBytes} B of output hold no host secret", census, "host markers unchanged" };
        foreach (var check in checks)
        {
            var (more, words) = await check.AfterAsync(context, sandbox.Id, cancellationToken);
            findings.AddRange(more);
            if (words.Length > 0) evidence.Add(words);
        }

        if (findings.Count > 0) return Judgement.Escaped(string.Join("; ", findings));
        if (run.Result is null) return Judgement.Inconclusive($"the attack did not finish: {run.Describe()}");
        if (NeedsHostSecrets && secrets.Count == 0) return Judgement.Inconclusive("the host could not read its own values to search for");
        if (secrets.Count > 0) evidence.Insert(1, $"none of {secrets.Count} host values ({secrets[0].What}, ...) appears");
        evidence.Add($"inside: {Said(run)}");
        return Judgement.Contained(string.Join("; ", evidence));
    }

    /// <summary>The attack's last output line, shortened: context for a reader, not evidence.</summary>
    private static string Said(AttackRun run)
    {
        var last = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        if (last.Length > 90) last = last[..90] + "...";
        return $"{run.Describe()}, said '{last}'";
    }
}
