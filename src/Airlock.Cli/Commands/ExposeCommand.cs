using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock expose ID PORT [--ttl D] [--json]</c>: makes the server on PORT inside the sandbox reachable at a daemon URL
/// behind a token of its own; <c>--list ID</c> shows open previews, <c>--close ID PORT</c> closes one. A daemon only:
/// previews live in it.
/// </summary>
internal static class ExposeCommand
{
    public static Command Build(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Sandbox id" };
        var port = new Argument<string?>("PORT") { Description = "TCP port the server inside the sandbox listens on (127.0.0.1 inside)", Arity = ArgumentArity.ZeroOrOne };
        var ttl = new Option<string?>("--ttl") { Description = "How long the preview stays open (default 1h, at most 7d)" };
        var list = new Option<bool>("--list") { Description = "List the sandbox's open previews" };
        var close = new Option<bool>("--close") { Description = "Close the preview of PORT" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("expose", "Make a port inside a sandbox reachable at a daemon URL guarded by a token (needs a daemon)") { id, port, ttl, list, close, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console;
            var lifetime = FlagParsing.Duration("--ttl", parse.GetValue(ttl));
            var portText = parse.GetValue(port);
            int? number = portText is null ? null
                : int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 65535 ? n
                : throw new UsageException($"PORT: '{portText}' is not a port (1-65535)");
            if (!parse.GetValue(list) && number is null) throw new UsageException("PORT is required: airlock expose ID PORT");
            using var client = CliBackend.RemoteClient(parse)
                ?? throw new UsageException("airlock expose needs a daemon, which serves the preview: start `airlock serve` and pass --host URL (or set AIRLOCK_HOST)");
            var sandbox = parse.GetValue(id)!;

            if (parse.GetValue(list))
            {
                var previews = await client.ListPortsAsync(sandbox, cancellationToken);
                if (parse.GetValue(json))
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(previews, AirlockJson.Indented));
                    return ExitCodes.Ok;
                }

                foreach (var p in previews)
                {
                    await console.Output.WriteLineAsync($"{p.Port}\t{p.Url}\texpires {p.ExpiresAt:u}\t{p.Requests} requests");
                }

                return ExitCodes.Ok;
            }

            if (parse.GetValue(close))
            {
                await client.ClosePortAsync(sandbox, number!.Value, cancellationToken);
                return ExitCodes.Ok;
            }

            var preview = await client.ExposePortAsync(sandbox, number!.Value, lifetime, cancellationToken);
            if (parse.GetValue(json))
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(preview, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            await console.Output.WriteLineAsync(preview.Url);
            await console.Output.WriteLineAsync($"token:   {preview.Token}");
            await console.Output.WriteLineAsync($"browser: {preview.Url}?airlock_token={preview.Token}");
            await console.Output.WriteLineAsync($"expires: {preview.ExpiresAt:u}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
