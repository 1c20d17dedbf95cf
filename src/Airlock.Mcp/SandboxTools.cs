using System.ComponentModel;
using Airlock.Access;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>create_sandbox and destroy_sandbox.</summary>
[McpServerToolType]
internal sealed class SandboxTools(McpBackend backend)
{
    [McpServerTool(Name = "create_sandbox", Title = "Create a sandbox", Destructive = false, OpenWorld = false)]
    [Description("Creates an isolated Linux sandbox (its own filesystem, processes and limits; no network) and returns its id. " +
        "Pass that id as sandbox_id to run_code, exec_command and the file tools; call destroy_sandbox when done. " +
        "Every argument is optional: the default is the 'python' image (Debian with python3) in the strongest isolation this host supports.")]
    public Task<CallToolResult> CreateSandbox(
        [Description("Image name, e.g. 'python' (the default).")] string? image = null,
        [Description("Isolation tier: 'auto' (default: the strongest available), 'container', 'gvisor' or 'microvm'.")] string? isolation = null,
        [Description("Memory limit like '512m' or '2g'.")] string? memory = null,
        [Description("CPU limit, e.g. 1 or 0.5.")] double? cpus = null,
        [Description("Time to live like '30m' or '2h': the sandbox is destroyed when it passes.")] string? timeout = null,
        [Description("Labels to attach, e.g. {\"task\": \"report\"}.")] Dictionary<string, string>? labels = null,
        [Description("A stored policy to create it under: 'NAME' (latest version) or 'NAME@VERSION'.")] string? policy = null,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "create_sandbox", null, async () =>
        {
            var spec = SpecFrom(image, isolation, memory, cpus, timeout, labels, policy);
            ToolAccess.RequireMayCreate("create_sandbox", spec.Labels);
            var info = await backend.Sandboxes.CreateAsync(spec, progress: null, cancellationToken);
            return ToolCall.Text(ToolText.Created(info));
        }, cancellationToken);

    [McpServerTool(Name = "destroy_sandbox", Title = "Destroy a sandbox", Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Destroys a sandbox and everything in it (processes, files). It cannot be undone.")]
    public Task<CallToolResult> DestroySandbox(
        [Description("The sandbox id returned by create_sandbox or run_code.")] string sandbox_id,
        CancellationToken cancellationToken = default) =>
        ToolCall.RunAsync(backend, "destroy_sandbox", sandbox_id, async () =>
        {
            await ToolAccess.RequireAsync("destroy_sandbox", Scopes.SandboxDelete, sandbox_id, backend.Sandboxes, cancellationToken);
            await backend.Sandboxes.DeleteAsync(sandbox_id, cancellationToken);
            return ToolCall.Text($"sandbox {sandbox_id} destroyed");
        }, cancellationToken);

    internal static SandboxSpec SpecFrom(string? image, string? isolation, string? memory, double? cpus, string? timeout, Dictionary<string, string>? labels, string? policy)
    {
        var spec = new SandboxSpec();
        if (!string.IsNullOrWhiteSpace(image)) spec = spec with { Image = image.Trim() };
        if (!string.IsNullOrWhiteSpace(isolation)) spec = spec with { Isolation = isolation.Trim() };
        if (cpus is <= 0) throw AirlockException.Invalid($"cpus must be more than 0, not {cpus}");
        spec = spec with
        {
            Limits = new ResourceLimits
            {
                Cpus = cpus,
                MemoryBytes = string.IsNullOrWhiteSpace(memory) ? null : Named("memory", () => Units.ParseSize(memory)),
            },
            Ttl = string.IsNullOrWhiteSpace(timeout) ? null : Named("timeout", () => Units.ParseDuration(timeout)),
            Labels = labels ?? new Dictionary<string, string>(),
            Policy = string.IsNullOrWhiteSpace(policy) ? null : policy.Trim(),
        };
        return spec;
    }

    /// <summary>Parses an argument; its error names the argument, so the model knows which one to fix.</summary>
    internal static T Named<T>(string argument, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (AirlockException e) when (e.Kind == AirlockErrorKind.InvalidArgument)
        {
            throw AirlockException.Invalid($"{argument}: {e.Message}");
        }
    }
}
