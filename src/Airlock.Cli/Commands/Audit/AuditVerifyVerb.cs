using System.CommandLine;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands.Audit;

/// <summary><c>airlock audit verify [--json]</c>: exit 0 when every hash, link and checkpoint holds; 1 naming the first bad record otherwise.</summary>
internal static class AuditVerifyVerb
{
    public static Command Build(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print {ok, records, checkpoints, firstBad?}" };
        var command = new Command("verify", "Check the audit trail's hash chain and signed checkpoints") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var source = AuditSource.Open(parse);
            var result = await source.VerifyAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(result, AirlockJson.Indented));
            }
            else if (result.Ok)
            {
                var key = result.SigningKey is { } fingerprint ? $" (signing key {fingerprint})" : "";
                await context.Console.Output.WriteLineAsync($"audit trail intact: {result.Records} record(s), {result.Checkpoints} signed checkpoint(s){key}");
            }

            if (result.FirstBad is { } bad) context.Console.Say($"audit trail broken at record {bad.Sequence}: {bad.Reason}");
            return result.Ok ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
