using System.Globalization;
using System.Text.Json;
using Airlock.RedTeam.Model;
using Airlock.RedTeam.Running;
using Spectre.Console;

namespace Airlock.Cli.Infrastructure;

/// <summary>The battery's report: a table per tier, a summary with the daemon's latency, or JSON.</summary>
internal static class RedTeamOutput
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void WriteTables(CliConsole console, BatteryReport report, IReadOnlyList<string> tiers)
    {
        foreach (var tier in tiers)
        {
            var table = new Table { Title = new TableTitle($"red team: {tier}") };
            table.AddColumns("category", "case", "verdict", "evidence (host side)", "time");
            foreach (var result in report.Cases.Where(c => c.Tier == tier))
            {
                table.AddRow(Markup.Escape(result.Category), Markup.Escape(result.Name), Colour(result.Verdict), Markup.Escape(result.Evidence), result.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s");
            }

            Tables.Write(console, table);
        }

        var summary = new Table { Title = new TableTitle("summary") };
        summary.AddColumns("tier", "cases", "contained", "escaped", "inconclusive", "not run");
        foreach (var tier in tiers)
        {
            var mine = report.Cases.Where(c => c.Tier == tier).ToList();
            summary.AddRow(tier, N(mine.Count), N(mine.Count(c => c.Verdict == Verdict.Contained)), N(mine.Count(c => c.Verdict == Verdict.Escaped)), N(mine.Count(c => c.Verdict == Verdict.Inconclusive)), N(mine.Count(c => c.Verdict == Verdict.NotRun)));
        }

        Tables.Write(console, summary);
        console.Output.WriteLine(LatencyLine(report));
        console.Output.WriteLine(VerdictLine(report));
    }

    public static async Task WriteJsonAsync(TextWriter output, BatteryReport report)
    {
        var document = new
        {
            cases = report.Cases.Select(c => new { tier = c.Tier, category = c.Category, name = c.Name, verdict = Name(c.Verdict), evidence = c.Evidence, durationSeconds = Math.Round(c.Duration.TotalSeconds, 2) }),
            latency = new { idle = report.Idle, underAttack = report.UnderAttack },
            summary = new { contained = report.Count(Verdict.Contained), escaped = report.Count(Verdict.Escaped), inconclusive = report.Count(Verdict.Inconclusive), notRun = report.Count(Verdict.NotRun) },
        };
        await output.WriteLineAsync(JsonSerializer.Serialize(document, Json));
    }

    public static string LatencyLine(BatteryReport report)
    {
        var ratio = report.Idle.P99 > 0 ? report.UnderAttack.P99 / report.Idle.P99 : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"daemon latency (health/list): idle p50 {report.Idle.P50:0.0} ms p99 {report.Idle.P99:0.0} ms ({report.Idle.Count} calls); under attack p50 {report.UnderAttack.P50:0.0} ms p99 {report.UnderAttack.P99:0.0} ms ({report.UnderAttack.Count} calls); p99 ratio {ratio:0.00}x (goal <= 2x)");
    }

    public static string VerdictLine(BatteryReport report) =>
        report.Count(Verdict.Escaped) > 0 ? $"ESCAPED: {report.Count(Verdict.Escaped)} case(s) got past a defence"
        : report.Count(Verdict.Inconclusive) > 0 ? $"INCONCLUSIVE: nothing escaped, {report.Count(Verdict.Inconclusive)} case(s) could not be judged"
        : $"CONTAINED: all {report.Count(Verdict.Contained)} judged case(s) contained ({report.Count(Verdict.NotRun)} not run)";

    private static string Name(Verdict verdict) => verdict switch
    {
        Verdict.NotRun => "not-run",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    private static string Colour(Verdict verdict) => verdict switch
    {
        Verdict.Contained => "[green]contained[/]",
        Verdict.Escaped => "[red bold]ESCAPED[/]",
        Verdict.Inconclusive => "[yellow]inconclusive[/]",
        _ => "[grey]not run[/]",
    };

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
