using System.CommandLine;
using System.Text;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands.Audit;

/// <summary><c>airlock audit export [-o FILE] [filters]</c>: every record as JSON Lines (seq, time, kind, actor, outcome, sandbox, details, prev_hash, hash) for a SIEM.</summary>
internal static class AuditExportVerb
{
    public static Command Build(CliContext context)
    {
        var filters = new AuditFilterFlags();
        var output = new Option<string>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Export the audit trail as JSON Lines") { output };
        filters.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var query = filters.ToQuery(parse, DateTimeOffset.UtcNow);
            using var source = AuditSource.Open(parse);
            var file = parse.GetValue(output);
            await using var writer = file is null ? null : new StreamWriter(file, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            var destination = writer ?? context.Console.Output;
            var count = 0L;
            await foreach (var record in AuditJsonLines.ReadAllAsync(source.QueryAsync, query, cancellationToken))
            {
                await destination.WriteAsync(AuditJsonLines.Format(record) + "\n");
                count++;
            }

            await destination.FlushAsync(cancellationToken);
            if (file is not null) context.Console.Say($"exported {count} record(s) to {file}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
