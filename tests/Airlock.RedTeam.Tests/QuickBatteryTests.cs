using Airlock.Cli;
using Airlock.Cli.Infrastructure;
using Airlock.RedTeam.Model;
using Airlock.RedTeam.Running;

namespace Airlock.RedTeam.Tests;

/// <summary>
/// CI's slice of the battery: one or two cases of every category against real container sandboxes (and one on
/// gVisor), judged on the host like the full <c>airlock redteam</c> run; the network slice runs against the battery's
/// own internet. Every verdict must be contained.
/// </summary>
[Collection("redteam")]
public sealed class QuickBatteryTests
{
    private static readonly string[] ContainerCases =
    [
        "fork-bomb", "memory-bomb", "output-flood",
        "host-files-read", "files-api-write-escape", "core-pattern",
        "unshare-user", "io-uring", "raw-socket", "runtime-overwrite", "mknod-host-disk",
        "expired-token", "audit-edit", "secret-exfiltration",
        "metadata-endpoint", "domain-fronting", "host-loopback",
    ];

    [Fact]
    public async Task QuickSlice_OnTheContainerTier_IsContained() => await RunAsync("container", ContainerCases);

    [Fact]
    public async Task QuickSlice_OnGvisor_IsContained() => await RunAsync("gvisor", ["unshare-user", "host-files-read"]);

    private static async Task RunAsync(string tier, IReadOnlyList<string> names)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AIRLOCK_IMAGES"))) Environment.SetEnvironmentVariable("AIRLOCK_IMAGES", "/var/lib/airlock/images");
        var cases = Battery.All().Where(c => names.Contains(c.Name)).ToList();
        Assert.Equal(names.Count, cases.Count);
        var options = new BatteryOptions
        {
            StartEngine = (paths, wiring, ct) => EngineFactory.StartAsync(paths, runReaper: true, wiring, ct),
            Internet = cases.Any(c => c.NeedsInternet),
            ImagesDirectory = Environment.GetEnvironmentVariable("AIRLOCK_IMAGES")!,
            ExtractTar = (tar, destination, ct) => SafeTarExtractor.ExtractAsync(tar, destination, null, _ => { }, ct),
        };
        await using var environment = await BatteryEnvironment.StartAsync(options, CancellationToken.None);

        var report = await new BatteryRunner(environment).RunAsync([tier], cases, null, CancellationToken.None);

        var bad = report.Cases.Where(c => c.Verdict is not (Verdict.Contained or Verdict.NotRun)).Select(c => $"{c.Name}: {c.Verdict} ({c.Evidence})").ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }
}
