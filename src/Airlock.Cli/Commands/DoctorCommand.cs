using System.CommandLine;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Airlock.Core.Doctor;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock doctor [--json] [--fix]</c>: which isolation tiers this host can run, and why not. Exit 0 when any can.
/// <c>--fix</c> (root only) installs the Debian packages the failed checks name, then checks again.
/// </summary>
internal static class DoctorCommand
{
    public static Command Build(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var fix = new Option<bool>("--fix") { Description = "Install the missing Debian packages (as root), then check again" };
        var command = new Command("doctor", "Check which isolation tiers this host can run") { json, fix };
        command.SetAction(parse =>
        {
            var console = context.Console;
            var report = HostDoctor.Run(EngineFactory.Backends(GlobalOptions.Paths(parse)));
            if (parse.GetValue(fix))
            {
                if (report.MissingPackages.Count == 0)
                {
                    console.Error.WriteLine("airlock: doctor --fix: no missing Debian package to install");
                }
                else
                {
                    if (Environment.UserName != "root") throw new UsageException($"doctor --fix installs Debian packages ({string.Join(' ', report.MissingPackages)}) and needs root");
                    console.Error.WriteLine($"airlock: doctor --fix: installing {string.Join(' ', report.MissingPackages)}");
                    PackageInstaller.Install(report.MissingPackages);
                    report = HostDoctor.Run(EngineFactory.Backends(GlobalOptions.Paths(parse)));
                }
            }

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
