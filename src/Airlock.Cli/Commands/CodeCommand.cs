using System.CommandLine;
using System.Text;
using System.Text.Json;
using Airlock.Cli.Infrastructure;
using Airlock.Client.Wire;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock code ID (-c CODE | FILE | -) [--timeout D] [--json] [--save-images DIR]</c>, and <c>--interrupt</c>,
/// <c>--restart</c>: one cell in the sandbox's stateful Python kernel. Exit 0, or 1 when the cell raised.
/// </summary>
internal static class CodeCommand
{
    public static Command Build(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Sandbox id" };
        var file = new Argument<string?>("FILE") { Description = "A file of Python code to run as one cell; '-' reads standard input", Arity = ArgumentArity.ZeroOrOne };
        var code = new Option<string>("--code", "-c") { Description = "The code of the cell, e.g. 'x = 21'" };
        var timeout = new Option<string>("--timeout") { Description = "Interrupt the cell after this long, e.g. 30s (default 60s); the kernel keeps its state" };
        var json = new Option<bool>("--json") { Description = "Print the whole result (outputs, error, traceback) as JSON" };
        var saveImages = new Option<string>("--save-images") { Description = "Write image outputs (image/png, image/jpeg, image/svg+xml) as files into this directory" };
        var restart = new Option<bool>("--restart") { Description = "Restart the kernel (forget every variable and import) before running the cell, if any" };
        var interrupt = new Option<bool>("--interrupt") { Description = "Interrupt the cell that is running now and exit" };
        var command = new Command("code", "Run Python in a sandbox's stateful kernel (variables and imports persist between calls)")
        {
            id, file, code, timeout, json, saveImages, restart, interrupt,
        };
        command.SetAction(async (parse, _) =>
        {
            var console = context.Console;
            var limit = FlagParsing.Duration("--timeout", parse.GetValue(timeout));
            var source = await ReadSourceAsync(parse.GetValue(code), parse.GetValue(file), console, parse.GetValue(restart) || parse.GetValue(interrupt));
            if (parse.GetValue(interrupt) && source is not null) throw new UsageException("code: --interrupt stops the running cell and takes no code; run the code in a second call");
            var sandboxId = parse.GetValue(id)!;

            using var signals = new SignalCancellation();
            await using var backend = await CliBackend.OpenAsync(parse, signals.Token);
            try
            {
                if (parse.GetValue(interrupt))
                {
                    await backend.Code.InterruptAsync(sandboxId, CodeLanguages.Python, signals.Token);
                    return ExitCodes.Ok;
                }

                if (parse.GetValue(restart)) await backend.Code.RestartAsync(sandboxId, CodeLanguages.Python, signals.Token);
                if (source is null) return ExitCodes.Ok;

                var result = await backend.Code.RunCodeAsync(sandboxId, new CodeRequest { Code = source, Timeout = limit }, signals.Token);
                var saved = parse.GetValue(saveImages) is { } directory ? SaveImages(result, directory) : [];
                if (parse.GetValue(json))
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(result, AirlockJson.Indented));
                }
                else
                {
                    await PrintAsync(result, saved, console);
                }

                return result.Error is null ? ExitCodes.Ok : ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (signals.Signalled)
            {
                // Ctrl-C leaves the cell running in the kernel; stop it too, as a notebook's interrupt button would.
                await backend.Code.InterruptAsync(sandboxId, CodeLanguages.Python, CancellationToken.None);
                console.Say("interrupted");
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    private static async Task<string?> ReadSourceAsync(string? code, string? file, CliConsole console, bool codeOptional)
    {
        if (code is not null && file is not null) throw new UsageException("code: give the code either with -c or as FILE ('-' for stdin), not both");
        if (code is not null) return code.Length > 0 ? code : throw new UsageException("code: -c is empty; give the cell's code, e.g. -c 'x = 21'");
        if (file is null)
        {
            return codeOptional ? null : throw new UsageException("code: no code; use -c 'CODE', a FILE, or '-' to read standard input");
        }

        if (file == "-")
        {
            using var reader = new StreamReader(console.Input, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync();
        }

        try
        {
            return await File.ReadAllTextAsync(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"code: cannot read {file}: {e.Message}");
        }
    }

    private static async Task PrintAsync(CodeResult result, IReadOnlyList<string> saved, CliConsole console)
    {
        if (result.Stdout.Length > 0) await console.Output.WriteAsync(result.Stdout);
        if (result.Stderr.Length > 0) await console.Error.WriteAsync(result.Stderr);
        foreach (var output in result.Outputs)
        {
            // The last value comes last, after what the cell displayed on its way.
            if (output.Kind == "execute_result") continue;
            if (ImageOf(output) is { } image && saved.Count == 0)
            {
                console.Say($"{image.Mime} output ({image.Data.Length} characters); --save-images DIR writes it to a file");
            }
            else if (ImageOf(output) is null && output.Data.TryGetValue("text/plain", out var text))
            {
                await console.Output.WriteLineAsync(text);
            }
        }

        foreach (var path in saved) console.Say($"saved {path}");
        if (result.Text is { } value) await console.Output.WriteLineAsync(value);
        if (result.Error is { } error)
        {
            var traceback = error.Traceback.Count > 0 ? string.Join('\n', error.Traceback) : $"{error.Name}: {error.Value}";
            await console.Error.WriteLineAsync(traceback);
        }
    }

    private static (string Mime, string Data)? ImageOf(CodeOutput output)
    {
        foreach (var mime in ImageExtensions.Keys)
        {
            if (output.Data.TryGetValue(mime, out var data)) return (mime, data);
        }

        return null;
    }

    private static readonly Dictionary<string, string> ImageExtensions = new(StringComparer.Ordinal)
    {
        ["image/png"] = "png",
        ["image/jpeg"] = "jpg",
        ["image/svg+xml"] = "svg",
    };

    private static List<string> SaveImages(CodeResult result, string directory)
    {
        var saved = new List<string>();
        try
        {
            Directory.CreateDirectory(directory);
            var index = 0;
            foreach (var output in result.Outputs)
            {
                if (ImageOf(output) is not { } image) continue;
                var path = Path.Combine(directory, $"output-{result.ExecutionCount}-{++index}.{ImageExtensions[image.Mime]}");
                var bytes = image.Mime == "image/svg+xml" ? Encoding.UTF8.GetBytes(image.Data) : Convert.FromBase64String(image.Data);
                File.WriteAllBytes(path, bytes);
                saved.Add(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"code: --save-images: cannot write into {directory}: {e.Message}");
        }

        return saved;
    }
}
