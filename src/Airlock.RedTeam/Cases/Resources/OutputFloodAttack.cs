using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Resources;

/// <summary>
/// Output flood: gigabytes on stdout and stderr at once, read by the host as a streaming client would (and
/// dropped). The RSS of the process holding the engine — this one, embedded — is sampled throughout: streaming
/// must not buffer the flood. Bytes moved are reported; the bound is time (25 s), so TCG's slow pipe is fine.
/// </summary>
internal sealed class OutputFloodAttack : IAttackCase
{
    /// <summary>Growth allowed for GC heaps and pipe buffers; a buffered flood would be gigabytes.</summary>
    private const long RssSlack = 256L << 20;

    public string Category => Categories.Resources;

    public string Name => "output-flood";

    public string Attempts => "write up to 4 GiB to stdout and 1 GiB to stderr for 25 s; host: the RSS of the process holding the engine stays flat";

    public async Task<Judgement> RunAsync(CaseContext context, CancellationToken cancellationToken)
    {
        if (context.Environment.EngineProcessId is not { } pid) return Judgement.Inconclusive("the engine runs in a remote daemon: its RSS is not measured from here");
        var sandbox = await context.CreateSandboxAsync(cancellationToken: cancellationToken);
        var before = HostVitals.RssBytes(pid);
        long peak = before ?? 0;
        var run = await context.ShellAsync(sandbox.Id, "head -c 1G /dev/zero >&2 & head -c 4G /dev/zero; wait", TimeSpan.FromSeconds(25), cancellationToken,
            onBytes: total =>
            {
                if ((total & ((8 << 20) - 1)) < 65536 && HostVitals.RssBytes(pid) is { } rss) peak = Math.Max(peak, rss);
            });
        peak = Math.Max(peak, HostVitals.RssBytes(pid) ?? 0);
        var growth = peak - (before ?? peak);
        var words = $"{run.TotalBytes / (1024.0 * 1024 * 1024):0.00} GiB streamed in {run.Duration.TotalSeconds:0}s; engine process RSS {HostVitals.Mib(before)} -> peak {HostVitals.Mib(peak)}";
        if (growth > RssSlack) return Judgement.Escaped($"{words}: grew {HostVitals.Mib(growth)}");
        if (run.TotalBytes < 1 << 20) return Judgement.Inconclusive($"the flood did not flow: {run.Describe()}");
        return Judgement.Contained(words);
    }
}
