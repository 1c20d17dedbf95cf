using System.ComponentModel;
using Airlock.Access;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>run_code: a cell for the sandbox's stateful interpreter; creates a sandbox when none is named.</summary>
[McpServerToolType]
internal sealed class CodeTools(McpBackend backend)
{
    [McpServerTool(Name = "run_code", Title = "Run code in a stateful interpreter", Destructive = true, OpenWorld = false)]
    [Description("Runs a cell of Python in a sandbox's stateful interpreter (a Jupyter kernel): variables, imports and files persist " +
        "across calls with the same sandbox_id. Returns stdout, stderr, the value of the last expression, errors with their " +
        "traceback, and charts as PNG images. Without sandbox_id a new sandbox is created from the default image and its id is " +
        "returned first: pass it as sandbox_id on the next call to keep the state.")]
    public Task<CallToolResult> RunCode(
        [Description("The code to run, e.g. 'import math\\nmath.sqrt(2)'. The last expression's value is returned.")] string code,
        [Description("The language; only 'python' today.")] string language = CodeLanguages.Python,
        [Description("A sandbox to run in (keeps earlier variables); omit to create one.")] string? sandbox_id = null,
        [Description("Interrupt the cell after this long, like '30s' (the interpreter keeps its state).")] string? timeout = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "run_code", sandbox_id, async () =>
        {
            var interpreter = backend.Code ?? throw AirlockException.Unavailable("this Airlock has no code interpreter; run Python with exec_command instead (e.g. command \"python3 -c '...'\")");
            var request = new CodeRequest
            {
                Code = code ?? throw AirlockException.Invalid("code is required"),
                Language = string.IsNullOrWhiteSpace(language) ? CodeLanguages.Python : language.Trim(),
                Timeout = string.IsNullOrWhiteSpace(timeout) ? null : SandboxTools.Named("timeout", () => Units.ParseDuration(timeout)),
            };
            var created = false;
            if (string.IsNullOrWhiteSpace(sandbox_id))
            {
                ToolAccess.RequireMayCreate("run_code", new Dictionary<string, string>());
                ToolAccess.Require("run_code", Scopes.SandboxExec);
                sandbox_id = (await backend.Sandboxes.CreateAsync(new SandboxSpec { Image = backend.DefaultImage }, progress: null, cancellationToken)).Id;
                created = true;
            }
            else
            {
                await ToolAccess.RequireAsync("run_code", Scopes.SandboxExec, sandbox_id, backend.Sandboxes, cancellationToken);
            }

            var (result, _) = await HeldCall.RunAsync(backend, sandbox_id, progress, () => interpreter.RunCodeAsync(sandbox_id, request, cancellationToken), cancellationToken);
            var answer = ToolCall.Text(ToolText.Code(sandbox_id, created, result));
            foreach (var output in result.Outputs)
            {
                if (output.Data.TryGetValue("image/png", out var png)) answer.Content.Add(ImageContentBlock.FromBytes(Convert.FromBase64String(png), "image/png"));
            }

            return answer;
        }, cancellationToken);
}
