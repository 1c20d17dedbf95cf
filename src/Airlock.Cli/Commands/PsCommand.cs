using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock ps [--label K=V] [--json] [-a]</c>: a table of sandboxes (stopped ones with -a), or a JSON array.</summary>
internal static class PsCommand
{
    public static Command Build(CliContext context)
    {
        var label = new Option<string[]>("--label") { Description = "Only sandboxes with this label K=V (repeatable)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var all = new Option<bool>("--all", "-a") { Description = "Include stopped sandboxes" };
        var command = new Command("ps", "List sandboxes") { label, json, all };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var labels = FlagParsing.KeyValues("--label", parse.GetValue(label));
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var sandboxes = (await backend.Sandboxes.ListAsync(labels.Count > 0 ? labels : null, cancellationToken))
                .Where(s => parse.GetValue(all) || s.State != SandboxState.Stopped)
                .OrderBy(s => s.CreatedAt)
                .ToList();
            var console = context.Console;
            if (parse.GetValue(json))
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(sandboxes, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("ID", "IMAGE", "ISOLATION", "STATE", "CREATED", "EXPIRES", "LABELS");
            var now = DateTimeOffset.UtcNow;
            foreach (var s in sandboxes)
            {
                table.AddRow(
                    Markup.Escape(s.Id),
                    Markup.Escape(s.Image),
                    Markup.Escape(s.Isolation),
                    s.State.ToString().ToLowerInvariant(),
                    Ago(now - s.CreatedAt),
                    s.ExpiresAt is { } expires ? "in " + Span(expires - now) : "-",
                    Markup.Escape(string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))));
            }

            Tables.Write(console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Ago(TimeSpan span) => Span(span) + " ago";

    internal static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds}s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours}h"
            : ((int)span.TotalDays).ToString(CultureInfo.InvariantCulture) + "d";
    }
}
