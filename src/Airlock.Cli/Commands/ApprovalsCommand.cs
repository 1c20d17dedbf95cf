using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock approvals ls [--all] [--json] | approve ID [--reason R] | deny ID [--reason R]</c>.</summary>
internal static class ApprovalsCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("approvals", "Answer actions a policy holds for a person's approval");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Resolve(context, approve: true));
        command.Subcommands.Add(Resolve(context, approve: false));
        return command;
    }

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Also show answered and expired approvals (the latest 500)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List pending approvals") { all, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var approvals = await backend.Approvals.ListAsync(pendingOnly: !parse.GetValue(all), cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(approvals, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("ID", "SANDBOX", "STATE", "ACTION", "RULE", "REQUESTED BY", "EXPIRES");
            foreach (var a in approvals)
            {
                table.AddRow(
                    a.Id,
                    a.SandboxId,
                    a.State.ToString().ToLowerInvariant() + (a.ResolvedBy is { } by ? $" by {Markup.Escape(by)}" : ""),
                    Markup.Escape(a.Action),
                    Markup.Escape(a.Rule),
                    Markup.Escape(a.RequestedBy),
                    a.ExpiresAt.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture));
            }

            Tables.Write(context.Console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Resolve(CliContext context, bool approve)
    {
        var id = new Argument<string>("ID") { Description = "Approval id (ap_...), from airlock approvals ls" };
        var reason = new Option<string>("--reason") { Description = "Why; recorded in the audit trail and, for deny, told to the caller" };
        var command = new Command(approve ? "approve" : "deny", approve ? "Let a held action run" : "Refuse a held action") { id, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var resolved = await backend.Approvals.ResolveAsync(parse.GetValue(id)!, approve, parse.GetValue(reason), cancellationToken);
            await context.Console.Output.WriteLineAsync($"{resolved.Id} {resolved.State.ToString().ToLowerInvariant()}: {resolved.Action}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
