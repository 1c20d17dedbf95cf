using System.Collections.Concurrent;
using ModelContextProtocol.Client;

namespace Airlock.Integration.Tests;

/// <summary><c>airlock mcp</c> spawned as a child process by the MCP SDK's stdio client, on the embedded engine.</summary>
[Collection(SandboxCollection.Name)]
public sealed class McpStdioTests : IDisposable
{
    private readonly TempDataDir _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AirlockMcp_OverStdio_ListsTools_RunsCodeWithState_AndWritesThenReadsAFile()
    {
        var stderr = new ConcurrentQueue<string>();
        string? id = null;
        await using (var mcp = await McpClients.OverStdioAsync(_data.Path, stderr.Enqueue))
        {
            Assert.Equal("airlock", mcp.ServerInfo?.Name);
            var tools = await mcp.ListToolsAsync();
            Assert.Contains(tools, t => t.Name == "run_code");
            Assert.Equal(7, tools.Count);

            id = McpClients.SandboxId(await mcp.OkAsync("create_sandbox", new { isolation = "container" }));
            await mcp.OkAsync("write_file", new { sandbox_id = id, path = "/workspace/in.txt", content = "over stdio" });
            Assert.Equal("over stdio", await mcp.OkAsync("read_file", new { sandbox_id = id, path = "/workspace/in.txt" }));
            Assert.Contains("over stdio", await mcp.OkAsync("exec_command", new { sandbox_id = id, argv = new[] { "cat", "/workspace/in.txt" } }), StringComparison.Ordinal);

            Assert.Contains("sandbox_id: " + id, await mcp.OkAsync("run_code", new { sandbox_id = id, code = "x = 21" }), StringComparison.Ordinal);
            Assert.Contains("--- result ---\n42", await mcp.OkAsync("run_code", new { sandbox_id = id, code = "x * 2" }), StringComparison.Ordinal);

            var unknown = await mcp.CallAsync("exec_command", new { sandbox_id = "sb_nope", command = "true" });
            Assert.True(unknown.IsError);
            Assert.Contains("sb_nope", unknown.Text(), StringComparison.Ordinal);

            await mcp.OkAsync("destroy_sandbox", new { sandbox_id = id });
        }

        // The embedded engine's audit trail names the local user for each tool call, as for any CLI verb.
        var audit = await Cli.RunAsync(_data.Path, "audit", "query", "--sandbox", id, "--json");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        Assert.Contains("\"sandbox.created\"", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains($"local:{Environment.UserName}", audit.Stdout, StringComparison.Ordinal);
        // Standard error carries logs only (the SDK warns when the client closes stdin mid-read); stdout held nothing but protocol, or the calls above would have failed.
    }
}
