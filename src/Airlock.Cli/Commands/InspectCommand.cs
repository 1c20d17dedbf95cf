using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock inspect ID [--json]</c>: the isolation facts of a running sandbox, read from inside it.</summary>
internal static class InspectCommand
{
    public static Command Build(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Sandbox id" };
        var json = new Option<bool>("--json") { Description = "Print the posture as JSON" };
        var command = new Command("inspect", "Show a sandbox's isolation posture: tier, kernel, uid mapping, seccomp, capabilities, limits, network") { id, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var posture = await backend.Sandboxes.InspectAsync(parse.GetValue(id)!, cancellationToken);
            var output = context.Console.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(posture, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            string Or(long? value, Func<long, string> format) => value is { } v ? format(v) : "none";
            var rows = new (string Key, string Value)[]
            {
                ("id", posture.Id),
                ("isolation", $"{posture.Isolation} ({posture.IsolationReason})"),
                ("policy", posture.Policy ?? "none"),
                ("refused", posture.FailedAccess is null ? "not counted (no audit trail)" : $"{posture.FailedAccess} failed accesses (401/403), {posture.PolicyDenials} policy denials"),
                ("kernel inside", posture.KernelInside + (posture.KernelInside == posture.KernelOnHost ? " (the host's)" : $" (host: {posture.KernelOnHost})")),
                ("uid map", posture.UidMap),
                ("gid map", posture.GidMap),
                ("seccomp", posture.SeccompMode switch { 2 => "filter", 1 => "strict", 0 => "none", _ => "unknown" }),
                ("no_new_privs", posture.NoNewPrivileges ? "yes" : "no"),
                ("capabilities", posture.Capabilities.Count == 0 ? "none" : string.Join(' ', posture.Capabilities)),
                ("memory limit", Or(posture.MemoryLimitBytes, Units.FormatSize)),
                ("pids limit", Or(posture.PidsLimit, v => v.ToString(CultureInfo.InvariantCulture) + posture.Isolation switch
                {
                    "gvisor" => " (your commands' RLIMIT_NPROC inside the sentry: yours plus the agent's threads)",
                    "microvm" => " (the guest cgroup of your commands)",
                    _ => " (sandbox total: yours plus the agent's reserve)",
                })),
                ("cpu limit", posture.CpuLimit is { } cpus ? cpus.ToString("0.##", CultureInfo.InvariantCulture) : "none"),
                ("network", posture.Network),
            };
            foreach (var (key, value) in rows)
            {
                await output.WriteLineAsync($"{key,-14} {value}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
