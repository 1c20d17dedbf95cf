using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Airlock.Mcp;

/// <summary>How tool results read for a model: short, labelled, the id first, output capped with a note.</summary>
internal static partial class ToolText
{
    /// <summary>Output beyond this many characters per stream is cut (the note says how much), to spare the model's context.</summary>
    public const int OutputCap = 64 * 1024;

    public static string Created(SandboxInfo info) =>
        $"sandbox_id: {info.Id}\nimage: {info.Image}\nisolation: {info.Isolation}\nstate: {info.State.ToString().ToLowerInvariant()}" +
        (info.ExpiresAt is { } expires ? $"\nexpires_at: {expires:u}" : "") +
        (info.Policy is { } policy ? $"\npolicy: {policy}" : "");

    public static string Exec(ExecOutcome outcome, ApprovalInfo? approval)
    {
        var text = new StringBuilder();
        if (approval is not null) text.Append(CultureInfo.InvariantCulture, $"approval: {approval.Id} was granted\n");
        text.Append(CultureInfo.InvariantCulture, $"exit_code: {outcome.ExitCode}");
        if (outcome.Result.KilledBy is { } limit) text.Append(CultureInfo.InvariantCulture, $" (killed: {limit} limit)");
        Section(text, "stdout", outcome.StdoutText);
        Section(text, "stderr", outcome.StderrText);
        return text.ToString();
    }

    public static string Code(string sandboxId, bool created, CodeResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"sandbox_id: {sandboxId}{(created ? " (created for this call; pass it as sandbox_id to keep the variables)" : "")}");
        Section(text, "stdout", result.Stdout);
        Section(text, "stderr", result.Stderr);
        if (result.Text is { Length: > 0 } value) Section(text, "result", value);
        foreach (var output in result.Outputs)
        {
            foreach (var (mime, data) in output.Data)
            {
                if (mime is "text/html" or "application/json") Section(text, mime, data);
            }
        }

        if (result.Error is { } error)
        {
            Section(text, "error", $"{error.Name}: {error.Value}\n{StripAnsi(string.Join('\n', error.Traceback))}");
        }

        return text.ToString();
    }

    public static string Cap(string text) =>
        text.Length <= OutputCap ? text : $"{text[..OutputCap]}\n[... {text.Length - OutputCap} more characters cut]";

    public static string StripAnsi(string text) => AnsiEscape().Replace(text, "");

    private static void Section(StringBuilder text, string name, string content)
    {
        if (content.Length == 0) return;
        text.Append(CultureInfo.InvariantCulture, $"\n--- {name} ---\n{Cap(content)}");
    }

    // Jupyter colours its tracebacks for terminals; a model reads plain text better.
    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
