using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Airlock.Client.AI;

/// <summary>The bodies of the functions <see cref="SandboxAIFunctions"/> makes; each answers with text a model reads.</summary>
internal sealed class SandboxFunctionSet(Sandbox sandbox)
{
    /// <summary>Output past this many characters is cut (with a note): a model's context is not a log store.</summary>
    private const int Cap = 32 * 1024;

    public Task<string> RunCodeAsync(
        [Description("Python code; the value of the last line is returned, like a notebook cell.")] string code,
        CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            var result = await sandbox.RunCodeAsync(new CodeRequest { Code = code }, cancellationToken);
            var text = new StringBuilder();
            Section(text, "stdout", result.Stdout);
            Section(text, "stderr", result.Stderr);
            if (result.Text is { Length: > 0 } value) Section(text, "result", value);
            if (result.Outputs.Any(o => o.Data.ContainsKey("image/png"))) Section(text, "display", "an image/png was produced (not shown here)");
            if (result.Error is { } error) Section(text, "error", $"{error.Name}: {error.Value}");
            return text.Length == 0 ? "(no output)" : text.ToString().TrimStart('\n');
        });

    public Task<string> ExecAsync(
        [Description("A shell command line, e.g. 'ls -la && python3 --version'.")] string command,
        CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            var outcome = await sandbox.ExecAsync(new ExecRequest { Command = ["sh", "-c", command] }, cancellationToken);
            var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"exit_code: {outcome.ExitCode}"));
            if (outcome.Result.KilledBy is { } limit) text.Append(CultureInfo.InvariantCulture, $" (killed: {limit} limit)");
            Section(text, "stdout", outcome.StdoutText);
            Section(text, "stderr", outcome.StderrText);
            return text.ToString();
        });

    public Task<string> ReadFileAsync(
        [Description("Absolute path inside the sandbox.")] string path,
        CancellationToken cancellationToken = default) =>
        Guard(async () => Capped(await sandbox.Files.ReadTextAsync(path, cancellationToken)));

    public Task<string> WriteFileAsync(
        [Description("Absolute path inside the sandbox.")] string path,
        [Description("The whole content of the file.")] string content,
        CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            if (Path.GetDirectoryName(path) is { Length: > 1 } parent) await sandbox.Files.MakeDirectoryAsync(parent, parents: true, cancellationToken);
            var entry = await sandbox.Files.WriteAsync(path, content, mode: null, cancellationToken);
            return string.Create(CultureInfo.InvariantCulture, $"wrote {entry.Size} bytes to {entry.Path}");
        });

    public Task<string> ListFilesAsync(
        [Description("Absolute directory path inside the sandbox, e.g. /workspace.")] string path,
        CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            var entries = await sandbox.Files.ListAsync(path, cancellationToken);
            if (entries.Count == 0) return $"{path} is empty";
            return string.Join('\n', entries.OrderBy(e => e.Path, StringComparer.Ordinal)
                .Select(e => string.Create(CultureInfo.InvariantCulture, $"{(e.Kind == FileKind.Directory ? 'd' : '-')} {e.Size,10} {e.Path}")));
        });

    /// <summary>A failure the model can act on becomes its answer; a host failure stays an exception for the application.</summary>
    private static async Task<string> Guard(Func<Task<string>> call)
    {
        try
        {
            return await call();
        }
        catch (AirlockException e) when (e.IsClientError)
        {
            return $"error: {e.Message}";
        }
    }

    private static void Section(StringBuilder text, string name, string content)
    {
        if (content.Length > 0) text.Append(CultureInfo.InvariantCulture, $"\n--- {name} ---\n{Capped(content)}");
    }

    private static string Capped(string text) =>
        text.Length <= Cap ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..Cap]}\n[... {text.Length - Cap} more characters cut]");
}
