using System.CommandLine;
using System.Text.Json;
using Airlock.Access;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock token create --scope S [--scope ...] [--sandbox ID | --label K=V] [--ttl 15m] [--name N] [--json]</c>,
/// <c>token ls [--json]</c>, <c>token revoke ID</c>: short-lived scoped tokens to hand to an agent instead of the admin token.
/// </summary>
internal static class TokenCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("token", "Mint, list and revoke short-lived scoped tokens");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var scope = new Option<string[]>("--scope") { Description = $"A scope to grant (repeatable): {string.Join(", ", Scopes.All)}", Required = true };
        var sandbox = new Option<string>("--sandbox") { Description = "Bind the token to this one sandbox" };
        var label = new Option<string[]>("--label") { Description = "Bind the token to sandboxes with this label K=V (repeatable)" };
        var ttl = new Option<string>("--ttl") { Description = "Lifetime, like 15m or 2h (default 15m, at most 24h)" };
        var name = new Option<string>("--name") { Description = "A name to recognise the token by" };
        var json = new Option<bool>("--json") { Description = "Print id, token, scopes, binding and expiry as JSON" };
        var command = new Command("create", "Mint a token; prints the token alone (it is shown only this once)") { scope, sandbox, label, ttl, name, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var labels = FlagParsing.KeyValues("--label", parse.GetValue(label));
            var request = new TokenRequest
            {
                Name = parse.GetValue(name),
                Scopes = (parse.GetValue(scope) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                Sandbox = parse.GetValue(sandbox),
                Labels = labels.Count > 0 ? labels : null,
                Ttl = FlagParsing.Duration("--ttl", parse.GetValue(ttl)),
            };
            if (request.Sandbox is not null && request.Labels is not null) throw new UsageException("token create: use --sandbox or --label, not both");
            using var tokens = CliTokens.Open(parse);
            var minted = await tokens.Tokens.MintAsync(request, cancellationToken);
            await context.Console.Output.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(minted, AirlockJson.Indented) : minted.Token);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List tokens (never their secrets)") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var tokens = CliTokens.Open(parse);
            var list = await tokens.Tokens.ListAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(list, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("ID", "NAME", "SCOPES", "BINDING", "EXPIRES", "STATE", "FAILED");
            var now = DateTimeOffset.UtcNow;
            foreach (var t in list)
            {
                var binding = t.Sandbox ?? (t.Labels is { } l ? string.Join(",", l.Select(p => $"{p.Key}={p.Value}")) : "-");
                var state = t.Revoked ? "revoked" : t.ExpiresAt <= now ? "expired" : "active";
                table.AddRow(
                    Markup.Escape(t.Id),
                    Markup.Escape(t.Name),
                    Markup.Escape(string.Join(",", t.Scopes)),
                    Markup.Escape(binding),
                    t.ExpiresAt > now ? "in " + PsCommand.Span(t.ExpiresAt - now) : PsCommand.Span(now - t.ExpiresAt) + " ago",
                    state,
                    t.FailedAccess is { } f ? f.Total.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-");
            }

            Tables.Write(context.Console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Token id (from token ls)" };
        var command = new Command("revoke", "Revoke a token at once") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var tokens = CliTokens.Open(parse);
            var revoked = await tokens.Tokens.RevokeAsync(parse.GetValue(id)!, cancellationToken);
            await context.Console.Output.WriteLineAsync(revoked.Id);
            return ExitCodes.Ok;
        });
        return command;
    }
}
