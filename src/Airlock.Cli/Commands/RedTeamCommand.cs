using System.CommandLine;
using Airlock.Cli.Infrastructure;
using Airlock.RedTeam;
using Airlock.RedTeam.Model;
using Airlock.RedTeam.Running;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock redteam [--isolation container|gvisor|microvm|all] [--only CATEGORY] [--json] [--host URL]</c>: runs the
/// attack battery (src/Airlock.RedTeam) against real sandboxes and prints the host's verdicts. Exit 0 when every
/// case was contained (or not run), 3 when any escaped, 4 when none escaped but some could not be judged.
/// </summary>
internal static class RedTeamCommand
{
    private static readonly string[] Tiers = ["container", "gvisor", "microvm"];

    public static Command Build(CliContext context)
    {
        var isolation = new Option<string>("--isolation") { Description = "Tier to attack: container, gvisor, microvm or all (default container)" };
        var only = new Option<string>("--only") { Description = $"One category: {string.Join(", ", Categories.All)}" };
        var json = new Option<bool>("--json") { Description = "Print every case (tier, category, name, verdict, evidence, duration) as JSON" };
        var command = new Command("redteam", "Attack real sandboxes with a battery of malicious behaviours; the host judges each") { isolation, only, json };
        command.SetAction(async (parse, invocationToken) =>
        {
            var tier = parse.GetValue(isolation) ?? "container";
            var tiers = tier == "all" ? Tiers : Tiers.Contains(tier) ? [tier] : throw new UsageException($"--isolation: '{tier}' is not container, gvisor, microvm or all");
            var category = parse.GetValue(only);
            if (category is not null && !Categories.All.Contains(category)) throw new UsageException($"--only: '{category}' is not one of {string.Join(", ", Categories.All)}");
            var cases = Battery.All().Where(c => category is null || c.Category == category).ToList();
            var paths = GlobalOptions.Paths(parse);
            var options = new BatteryOptions
            {
                StartEngine = (p, wiring, ct) => EngineFactory.StartAsync(p, runReaper: true, wiring, ct),
                Internet = cases.Any(c => c.NeedsInternet),
                ImagesDirectory = paths.Images,
                ExtractTar = (tar, destination, ct) => SafeTarExtractor.ExtractAsync(tar, destination, null, _ => { }, ct),
                ConnectRemote = GlobalOptions.HostAddress(parse) is { } host ? () => CliBackend.Connect(host, paths) : null,
            };
            var console = context.Console;
            // The battery's in-process daemon would otherwise take SIGINT/SIGTERM for itself and the cases would go on:
            // the first signal ends the case under way, destroys its sandboxes and the battery's internet, and stops.
            using var signals = new SignalCancellation();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(invocationToken, signals.Token);
            var cancellationToken = linked.Token;
            console.Say($"{cases.Count} cases x {tiers.Length} tier(s); every verdict is judged on the host");
            await using var environment = await BatteryEnvironment.StartAsync(options, cancellationToken);
            var report = await new BatteryRunner(environment).RunAsync(tiers, cases,
                r => console.Say($"{r.Tier,-9} {r.Category,-10} {r.Name,-26} {r.Verdict.ToString().ToLowerInvariant(),-12} {r.Duration.TotalSeconds,5:0.0}s"),
                cancellationToken);
            if (parse.GetValue(json)) await RedTeamOutput.WriteJsonAsync(console.Output, report);
            else RedTeamOutput.WriteTables(console, report, tiers);
            return report.Count(Verdict.Escaped) > 0 ? ExitCodes.Escaped
                : report.Count(Verdict.Inconclusive) > 0 ? ExitCodes.Inconclusive
                : ExitCodes.Ok;
        });
        return command;
    }
}
