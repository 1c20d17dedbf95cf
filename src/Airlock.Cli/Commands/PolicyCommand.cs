using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock policy set NAME FILE | ls [--json] | show NAME[@VERSION] [--json]</c>: named, versioned policies.</summary>
internal static class PolicyCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("policy", "Store and read named, versioned policies (use one with --policy NAME)");
        command.Subcommands.Add(Set(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static Command Set(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Policy name: letters, digits, '.', '_', '-'" };
        var file = new Argument<string>("FILE") { Description = "Policy document (YAML or JSON)" };
        var command = new Command("set", "Store FILE as the next version of NAME; prints NAME@VERSION") { name, file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                // Validate here so that errors name the user's file, its lines and fields.
                Core.Policy.PolicyLoader.LoadFile(path);
                text = await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (AirlockException e)
            {
                throw new UsageException("policy set: " + e.Message);
            }

            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var stored = await backend.Policies.PutAsync(parse.GetValue(name)!, text, cancellationToken);
            await context.Console.Output.WriteLineAsync(stored.Reference);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List stored policies (latest version of each)") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var policies = await backend.Policies.ListAsync(includeInline: false, cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(policies, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("NAME", "VERSION", "SHA256", "CREATED");
            foreach (var p in policies)
            {
                table.AddRow(Markup.Escape(p.Name), p.Version.ToString(CultureInfo.InvariantCulture), p.Sha256[..12],
                    p.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }

            Tables.Write(context.Console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var reference = new Argument<string>("NAME[@VERSION]") { Description = "A stored policy; the latest version without @VERSION" };
        var json = new Option<bool>("--json") { Description = "Print the stored record as JSON" };
        var command = new Command("show", "Print a stored policy's text") { reference, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var policy = await backend.Policies.GetAsync(parse.GetValue(reference)!, cancellationToken);
            await context.Console.Output.WriteAsync(parse.GetValue(json) ? JsonSerializer.Serialize(policy, AirlockJson.Indented) + "\n" : policy.Text);
            return ExitCodes.Ok;
        });
        return command;
    }
}
