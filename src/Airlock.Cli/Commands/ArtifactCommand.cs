using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock artifact put FILE [--name N] [--type T] [--json] | get DIGEST [-o FILE] | ls [--json] | rm DIGEST</c>.</summary>
internal static class ArtifactCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("artifact", "Store and fetch content-addressed, signed artifacts");
        command.Subcommands.Add(Put(context));
        command.Subcommands.Add(Get(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Remove(context));
        return command;
    }

    private static Command Put(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "File to store ('-' for standard input)" };
        var name = new Option<string>("--name") { Description = "A name for people (default: the file's name)" };
        var type = new Option<string>("--type") { Description = "Media type (default application/octet-stream)" };
        var json = new Option<bool>("--json") { Description = "Print the signed manifest as JSON" };
        var command = new Command("put", "Store a file; prints its digest") { file, name, type, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            using var artifacts = CliArtifacts.Open(parse);
            await using var content = path == "-" ? context.Console.Input : OpenInput(path);
            var info = await artifacts.Store.PutAsync(content, parse.GetValue(type), parse.GetValue(name) ?? (path == "-" ? null : Path.GetFileName(path)), cancellationToken);
            await context.Console.Output.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(info, AirlockJson.Indented) : info.Digest);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var digest = new Argument<string>("DIGEST") { Description = "sha256:<64 hex digits>, as put printed it" };
        var output = new Option<string>("--output", "-o") { Description = "Write to FILE instead of standard output" };
        var command = new Command("get", "Write an artifact's bytes, after checking them against digest and signed manifest") { digest, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var artifacts = CliArtifacts.Open(parse);
            await using var content = await artifacts.Store.OpenAsync(parse.GetValue(digest)!, cancellationToken);
            if (parse.GetValue(output) is { Length: > 0 } target)
            {
                // Into a temporary file first: a download that fails its check half-way leaves no FILE behind.
                var temp = target + ".airlock-partial";
                try
                {
                    await using (var file = File.Create(temp)) await content.CopyToAsync(file, cancellationToken);
                    File.Move(temp, target, overwrite: true);
                }
                finally
                {
                    File.Delete(temp);
                }
            }
            else
            {
                await content.CopyToAsync(context.Console.OutputStream, cancellationToken);
                await context.Console.OutputStream.FlushAsync(cancellationToken);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List artifacts") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var artifacts = CliArtifacts.Open(parse);
            var list = await artifacts.Store.ListAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(list, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("DIGEST", "SIZE", "TYPE", "NAME", "CREATED");
            foreach (var artifact in list)
            {
                table.AddRow(
                    artifact.Digest,
                    Units.FormatSize(artifact.Size),
                    Markup.Escape(artifact.MediaType),
                    Markup.Escape(artifact.Name ?? "-"),
                    artifact.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }

            Tables.Write(context.Console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var digest = new Argument<string>("DIGEST") { Description = "sha256:<64 hex digits>" };
        var command = new Command("rm", "Remove an artifact") { digest };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var artifacts = CliArtifacts.Open(parse);
            await artifacts.Store.DeleteAsync(parse.GetValue(digest)!, cancellationToken);
            await context.Console.Output.WriteLineAsync(parse.GetValue(digest));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static FileStream OpenInput(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new UsageException($"artifact put: cannot read {path}: {e.Message}");
        }
    }
}
