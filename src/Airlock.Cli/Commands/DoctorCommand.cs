using System.CommandLine;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Airlock.Core.Doctor;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock doctor [--json]</c>: which isolation tiers this host can run, and why not. Exit 0 when any can.</summary>
internal static class DoctorCommand
{
    public static Command Build(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("doctor", "Check which isolation tiers this host can run") { json };
        command.SetAction(parse =>
        {
            var console = context.Console;
            var report = HostDoctor.Run(EngineFactory.Backends(GlobalOptions.Paths(parse)));
            if (parse.GetValue(json))
            {
                console.Output.WriteLine(JsonSerializer.Serialize(report, AirlockJson.Indented));
            }
            else
            {
                var tiers = new Table().Border(TableBorder.None).AddColumns("TIER", "AVAILABLE", "WHY", "FIX");
                foreach (var tier in report.Tiers)
                {
                    tiers.AddRow(Markup.Escape(tier.Name), tier.ForAuto ? "yes" : tier.Available ? "explicit only" : "no", Markup.Escape(tier.Reason), Markup.Escape(tier.Fix ?? ""));
                }

                var checks = new Table().Border(TableBorder.None).AddColumns("CHECK", "OK", "FOUND", "FIX");
                foreach (var check in report.Checks)
                {
                    checks.AddRow(Markup.Escape(check.Name), check.Ok ? "ok" : check.Informational ? "info" : "FAIL", Markup.Escape(check.Detail), Markup.Escape(check.Fix ?? ""));
                }

                Tables.Write(console, tiers);
                console.Output.WriteLine();
                Tables.Write(console, checks);
                console.Output.WriteLine();
                console.Output.WriteLine($"auto picks: {report.AutoChoice}");
                console.Output.WriteLine($"kernel {report.Kernel}, cgroup {report.CgroupVersion}");
                if (report.MissingPackages.Count > 0) console.Output.WriteLine($"install: apt-get install -y {string.Join(' ', report.MissingPackages)}");
            }

            return report.AnyTierAvailable ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
