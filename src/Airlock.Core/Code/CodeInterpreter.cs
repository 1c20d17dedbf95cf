using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Airlock.Core.Code;

/// <summary>
/// The stateful code interpreter: one Jupyter kernel per sandbox, driven by <see cref="CodeDriver"/> through ordinary
/// execs of <paramref name="sandboxes"/>. Given the governed operations, a cell is judged by the sandbox's policy
/// (tool pattern <c>airlock-code run</c>, <c>limits.exec_rate</c>), may wait for approval, and is audited, exactly
/// like a command; there is no side door into the sandbox.
/// </summary>
public sealed class CodeInterpreter(ISandboxOperations sandboxes) : ICodeOperations
{
    /// <summary>How long a cell may run when the request names no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    // On top of the cell's own timeout: the kernel's start on first use, and the driver's grace after an interrupt.
    private static readonly TimeSpan DriverSlack = TimeSpan.FromSeconds(90);

    // The driver's exit codes beyond a launch failure (127: no driver, or no python3 to run it).
    private const int NotFound = 127;
    private const int NoJupyter = 4;

    public async Task<CodeResult> RunCodeAsync(string sandboxId, CodeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Code)) throw AirlockException.Invalid("'code' is empty: give the Python code of one cell, e.g. \"x = 21\"");
        CheckLanguage(request.Language);
        var timeout = request.Timeout ?? DefaultTimeout;
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw AirlockException.Invalid($"'timeout' must be more than 0 and at most {Units.FormatDuration(MaxTimeout)}, not {Units.FormatDuration(timeout)}");
        }

        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var output = await RunDriverAsync(sandboxId, ["run", "--timeout", seconds], Encoding.UTF8.GetBytes(request.Code), timeout + DriverSlack, cancellationToken);
        try
        {
            return CodeResultParser.Parse(output);
        }
        catch (JsonException e)
        {
            throw AirlockException.Unavailable($"the code interpreter in sandbox {sandboxId} answered something that is not a result: {Shorten(output)}", e);
        }
    }

    public async Task InterruptAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default)
    {
        CheckLanguage(language);
        await RunDriverAsync(sandboxId, ["interrupt"], null, DriverSlack, cancellationToken);
    }

    public async Task RestartAsync(string sandboxId, string language = CodeLanguages.Python, CancellationToken cancellationToken = default)
    {
        CheckLanguage(language);
        await RunDriverAsync(sandboxId, ["restart"], null, DriverSlack, cancellationToken);
    }

    private static void CheckLanguage(string? language)
    {
        if (language != CodeLanguages.Python)
        {
            throw AirlockException.Invalid($"unknown language '{language}': the code interpreter speaks '{CodeLanguages.Python}'");
        }
    }

    /// <summary>Runs the driver; installs it first when the sandbox does not have this version yet.</summary>
    private async Task<string> RunDriverAsync(string id, string[] arguments, byte[]? stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcome = await ExecDriverAsync(id, arguments, stdin, timeout, cancellationToken);
        if (outcome.Result.ExitCode == NotFound)
        {
            await sandboxes.MakeDirectoryAsync(id, CodeDriver.Directory, parents: true, cancellationToken);
            using (var script = new MemoryStream(CodeDriver.Script, writable: false))
            {
                await sandboxes.WriteFileAsync(id, CodeDriver.Path, script, mode: Convert.ToInt32("755", 8), cancellationToken);
            }

            outcome = await ExecDriverAsync(id, arguments, stdin, timeout, cancellationToken);
        }

        var stderr = Shorten(outcome.StderrText.Trim());
        switch (outcome.Result.ExitCode)
        {
            case 0:
                return outcome.StdoutText;
            case NotFound:
                throw AirlockException.Conflict($"sandbox {id} cannot run code: its image has no /usr/bin/python3 ({stderr}); use the default image 'python'");
            case NoJupyter:
                throw AirlockException.Conflict($"sandbox {id} cannot run code: {stderr.Replace("airlock-code: ", "", StringComparison.Ordinal)}");
            default:
                var why = outcome.Result.KilledBy is { } limit ? $"killed for its {limit} limit" : $"exit code {outcome.Result.ExitCode}";
                throw AirlockException.Unavailable($"the code interpreter in sandbox {id} failed ({why}): {(stderr.Length > 0 ? stderr : "no message")}");
        }
    }

    private async Task<ExecOutcome> ExecDriverAsync(string id, string[] arguments, byte[]? stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var input = stdin is null ? null : new MemoryStream(stdin, writable: false);
        var request = new ExecRequest { Command = [CodeDriver.Path, .. arguments], Timeout = timeout, Stdin = input };
        return await sandboxes.CollectAsync(id, request, cancellationToken);
    }

    private static string Shorten(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];
}
