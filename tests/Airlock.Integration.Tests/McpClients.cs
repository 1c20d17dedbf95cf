using System.Net.Http.Headers;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Airlock.Integration.Tests;

/// <summary>The MCP SDK's real client over the daemon's streamable HTTP <c>/mcp</c>, or over <c>airlock mcp</c> spawned on stdio.</summary>
internal static class McpClients
{
    public static Task<McpClient> OverHttpAsync(DaemonProcess daemon, string token) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(daemon.Url, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }));

    /// <summary><c>dotnet airlock.dll --data DIR mcp</c> as a child process, the way an MCP client spawns a tool server.</summary>
    public static Task<McpClient> OverStdioAsync(string dataDir, Action<string>? stderr = null) =>
        McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "airlock",
            Command = "dotnet",
            Arguments = [Cli.AirlockDll, "--data", dataDir, "mcp"],
            EnvironmentVariables = new Dictionary<string, string?> { ["AIRLOCK_HOST"] = null },
            StandardErrorLines = line => stderr?.Invoke(line),
            ShutdownTimeout = TimeSpan.FromSeconds(30),
        }));

    public static async Task<CallToolResult> CallAsync(this McpClient client, string tool, object arguments, IProgress<ModelContextProtocol.ProgressNotificationValue>? progress = null)
    {
        var args = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
        return await client.CallToolAsync(tool, args, progress);
    }

    public static string Text(this CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>The text of a call that must have succeeded (the message is the assertion's when it did not).</summary>
    public static async Task<string> OkAsync(this McpClient client, string tool, object arguments)
    {
        var result = await client.CallAsync(tool, arguments);
        Assert.True(result.IsError != true, $"{tool} failed: {result.Text()}");
        return result.Text();
    }

    /// <summary>The sandbox id from a create_sandbox or run_code answer ("sandbox_id: ID" on its first line).</summary>
    public static string SandboxId(string text) =>
        text.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
