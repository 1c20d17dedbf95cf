using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Airlock.Mcp;

/// <summary>Registers Airlock's MCP tools and resources on a server builder: the daemon's <c>/mcp</c> and <c>airlock mcp</c> (stdio) share it.</summary>
public static class AirlockMcp
{
    public static string Version { get; } =
        typeof(AirlockMcp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public const string Instructions =
        "Airlock runs code in isolated Linux sandboxes with no network. Start with run_code (it creates a sandbox and returns " +
        "its sandbox_id) or create_sandbox; reuse the sandbox_id for later calls; destroy_sandbox when finished. Files live " +
        "under /workspace. A call the sandbox's policy refuses or a person denies comes back as a tool error naming the rule or the approver.";

    /// <summary>Adds the tools and resources; <paramref name="backend"/> makes what they act through (resolved once, from the host's services).</summary>
    public static IMcpServerBuilder AddAirlockMcp(this IServiceCollection services, Func<IServiceProvider, McpBackend> backend)
    {
        services.AddSingleton(backend);
        return services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "airlock", Title = "Airlock sandboxes", Version = Version };
                options.ServerInstructions = Instructions;
            })
            .WithTools<SandboxTools>()
            .WithTools<CodeTools>()
            .WithTools<ExecTools>()
            .WithTools<FileTools>()
            .WithResources<SandboxFileResources>();
    }
}
