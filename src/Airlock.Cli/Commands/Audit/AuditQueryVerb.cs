using System.CommandLine;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands.Audit;

/// <summary><c>airlock audit query [--sandbox ID] [--kind K] [--actor A] [--outcome O] [--since 10m] [--limit N] [--json]</c>.</summary>
internal static class AuditQueryVerb
{
    public static Command Build(CliContext context)
    {
        var filters = new AuditFilterFlags();
        var limit = new Option<string>("--limit") { Description = "At most this many records, oldest first (default 1000, at most 10000)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of records" };
        var command = new Command("query", "Print the audit records that match the filters");
        filters.AddTo(command);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var max = FlagParsing.PositiveInt("--limit", parse.GetValue(limit)) ?? 1000;
            if (max > 10_000) throw new UsageException($"--limit: {max} is more than 10000; use audit export for everything");
            var query = filters.ToQuery(parse, DateTimeOffset.UtcNow) with { Limit = max };
            using var source = AuditSource.Open(parse);
            var records = await source.QueryAsync(query, cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(records, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            foreach (var record in records) await context.Console.Output.WriteLineAsync(AuditText.Line(record));
            return ExitCodes.Ok;
        });
        return command;
    }
}
