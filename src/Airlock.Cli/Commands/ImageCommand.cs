using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock image build NAME --packages a,b,c | import | ls [--json] | rm NAME</c>.</summary>
internal static class ImageCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("image", "Manage base images");
        command.Subcommands.Add(BuildVerb(context));
        command.Subcommands.Add(Import());
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Remove(context));
        return command;
    }

    private static Command BuildVerb(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Image name" };
        var packages = new Option<string>("--packages") { Description = "Debian packages, comma-separated: a,b,c", Required = true };
        var command = new Command("build", "Build an image from Debian packages (mmdebstrap)") { name, packages };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var list = (parse.GetValue(packages) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (list.Length == 0) throw new UsageException("--packages: name at least one Debian package, like --packages python3,git");
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var image = await ProgressDisplay.RunAsync(context.Console, $"building image {parse.GetValue(name)}",
                progress => backend.Images.BuildAsync(parse.GetValue(name)!, list, progress, cancellationToken));
            await context.Console.Output.WriteLineAsync(image.Name);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Import()
    {
        var rest = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("import", "Import an OCI image (not supported yet)") { rest };
        command.SetAction(int (_) => throw new UsageException("image import is not supported yet; build from Debian packages with: airlock image build NAME --packages a,b"));
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("ls", "List images") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            var images = await backend.Images.ListAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                await context.Console.Output.WriteLineAsync(JsonSerializer.Serialize(images, AirlockJson.Indented));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("NAME", "SIZE", "CREATED", "PACKAGES");
            foreach (var image in images)
            {
                table.AddRow(
                    Markup.Escape(image.Name),
                    Units.FormatSize(image.SizeBytes),
                    image.CreatedAt == default ? "-" : image.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(",", image.Packages)));
            }

            Tables.Write(context.Console, table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "Image name" };
        var command = new Command("rm", "Remove an image") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var backend = await CliBackend.OpenAsync(parse, cancellationToken);
            await backend.Images.RemoveAsync(parse.GetValue(name)!, cancellationToken);
            await context.Console.Output.WriteLineAsync(parse.GetValue(name));
            return ExitCodes.Ok;
        });
        return command;
    }
}
