using System.Net;
using Airlock.Access;
using Airlock.Client;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Airlock.Integration.Tests;

/// <summary>The daemon's MCP endpoint (<c>/mcp</c>, streamable HTTP) through the MCP SDK's real client, on real container sandboxes.</summary>
[Collection(SandboxCollection.Name)]
public sealed class McpHttpTests : IAsyncLifetime
{
    private DaemonSession _session = null!;

    public async Task InitializeAsync() => _session = await DaemonSession.StartAsync();

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task Tools_AreListedWithSchemas_AndFilesRoundTrip_ThroughTheDaemon()
    {
        await using var mcp = await McpClients.OverHttpAsync(_session.Daemon, _session.Daemon.Token);
        var tools = await mcp.ListToolsAsync();
        Assert.Equal(
            ["create_sandbox", "destroy_sandbox", "exec_command", "list_files", "read_file", "run_code", "write_file"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var exec = tools.Single(t => t.Name == "exec_command").ProtocolTool.InputSchema;
        Assert.Equal(["sandbox_id"], exec.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(exec.GetProperty("properties").TryGetProperty("argv", out var argv));
        Assert.Equal("array", argv.GetProperty("type").EnumerateArray().First().GetString());

        var id = McpClients.SandboxId(await mcp.OkAsync("create_sandbox", new { isolation = "container", memory = "256m", labels = new { via = "mcp" } }));
        try
        {
            Assert.Equal("mcp", (await _session.AdminClient().Operations.GetAsync(id)).Labels["via"]);
            Assert.Contains("wrote 12 bytes to /workspace/notes/a.txt", await mcp.OkAsync("write_file", new { sandbox_id = id, path = "/workspace/notes/a.txt", content = "hello world\n" }), StringComparison.Ordinal);
            Assert.Equal("hello world\n", await mcp.OkAsync("read_file", new { sandbox_id = id, path = "/workspace/notes/a.txt" }));
            Assert.Contains("/workspace/notes/a.txt", await mcp.OkAsync("list_files", new { sandbox_id = id, path = "/workspace/notes" }), StringComparison.Ordinal);

            var ran = await mcp.OkAsync("exec_command", new { sandbox_id = id, command = "cat notes/a.txt | tr a-z A-Z; echo oops >&2; exit 3" });
            Assert.Contains("exit_code: 3", ran, StringComparison.Ordinal);
            Assert.Contains("--- stdout ---\nHELLO WORLD", ran, StringComparison.Ordinal);
            Assert.Contains("--- stderr ---\noops", ran, StringComparison.Ordinal);

            var resource = await mcp.ReadResourceAsync($"airlock://sandboxes/{id}/files/workspace/notes/a.txt");
            Assert.Equal("hello world\n", Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(resource.Contents.Single()).Text);
        }
        finally
        {
            Assert.Contains("destroyed", await mcp.OkAsync("destroy_sandbox", new { sandbox_id = id }), StringComparison.Ordinal);
        }

        var gone = await _session.AdminClient().Operations.ListAsync();
        Assert.DoesNotContain(gone, s => s.Id == id && s.State != SandboxState.Stopped);
    }

    [Fact]
    public async Task RunCode_KeepsStateAcrossCalls_AndReturnsAChartAsAPngImage()
    {
        await using var mcp = await McpClients.OverHttpAsync(_session.Daemon, _session.Daemon.Token);
        var first = await mcp.OkAsync("run_code", new { code = "x = 21" });
        var id = McpClients.SandboxId(first);
        Assert.Contains("created for this call", first, StringComparison.Ordinal);
        try
        {
            var second = await mcp.OkAsync("run_code", new { code = "x * 2", sandbox_id = id });
            Assert.Contains("--- result ---\n42", second, StringComparison.Ordinal);

            // matplotlib lives in the python-data image (the default image keeps the kernel, numpy and pandas only).
            var dataSandbox = McpClients.SandboxId(await mcp.OkAsync("create_sandbox", new { image = "python-data" }));
            ModelContextProtocol.Protocol.CallToolResult chart;
            try
            {
                chart = await mcp.CallAsync("run_code", new
                {
                    sandbox_id = dataSandbox,
                    code = "import matplotlib.pyplot as plt\nx = 21\nplt.plot([1, 2, 3], [x, x * 2, x * 3])\nplt.show()",
                });
            }
            finally
            {
                await mcp.CallAsync("destroy_sandbox", new { sandbox_id = dataSandbox });
            }

            Assert.True(chart.IsError != true, chart.Text());
            var image = Assert.Single(chart.Content.OfType<ModelContextProtocol.Protocol.ImageContentBlock>());
            Assert.Equal("image/png", image.MimeType);
            var png = image.DecodedData.ToArray();
            Assert.True(png.Length > 1000, $"a PNG of {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);

            var raised = await mcp.OkAsync("run_code", new { sandbox_id = id, code = "1/0" });
            Assert.Contains("--- error ---\nZeroDivisionError: division by zero", raised, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", raised, StringComparison.Ordinal);
        }
        finally
        {
            await mcp.CallAsync("destroy_sandbox", new { sandbox_id = id });
        }
    }

    [Fact]
    public async Task Mcp_WithoutAToken_Is401()
    {
        using var http = new HttpClient { BaseAddress = _session.Daemon.Url };
        var response = await http.PostAsync("/mcp", DaemonSession.Json("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("missing bearer token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var client = McpClients.OverHttpAsync(_session.Daemon, "not-a-token");
        await Assert.ThrowsAnyAsync<Exception>(() => client);
    }

    [Fact]
    public async Task ToolErrors_AreIsErrorResults_ThatSayWhatToFix()
    {
        await using var mcp = await McpClients.OverHttpAsync(_session.Daemon, _session.Daemon.Token);
        var unknown = await mcp.CallAsync("read_file", new { sandbox_id = "sb_doesnotexist", path = "/workspace/x" });
        Assert.True(unknown.IsError);
        Assert.Contains("read_file failed (not found)", unknown.Text(), StringComparison.Ordinal);
        Assert.Contains("sb_doesnotexist", unknown.Text(), StringComparison.Ordinal);

        var nothing = await mcp.CallAsync("exec_command", new { sandbox_id = "sb_doesnotexist" });
        Assert.True(nothing.IsError);
        Assert.Contains("give 'command'", nothing.Text(), StringComparison.Ordinal);

        var size = await mcp.CallAsync("create_sandbox", new { memory = "lots" });
        Assert.True(size.IsError);
        Assert.Contains("memory: 'lots' is not a size", size.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScopedToken_MayReadButNotExec_AndItsRefusalIsCounted()
    {
        var id = (await _session.CreateSandboxAsync(new { isolation = "container" })).GetProperty("id").GetString()!;
        using var admin = _session.AdminClient();
        var minted = await admin.Tokens.MintAsync(new TokenRequest { Name = "mcp-reader", Scopes = [Scopes.FilesRead], Sandbox = id, Ttl = TimeSpan.FromMinutes(5) });
        await using var mcp = await McpClients.OverHttpAsync(_session.Daemon, minted.Token);

        Assert.Contains("/workspace", await mcp.OkAsync("list_files", new { sandbox_id = id, path = "/" }), StringComparison.Ordinal);
        var exec = await mcp.CallAsync("exec_command", new { sandbox_id = id, argv = new[] { "true" } });
        Assert.True(exec.IsError);
        Assert.Contains("lacks the scope 'sandbox:exec' that the MCP tool exec_command needs", exec.Text(), StringComparison.Ordinal);
        var create = await mcp.CallAsync("create_sandbox", new { isolation = "container" });
        Assert.True(create.IsError);
        Assert.Contains("sandbox:create", create.Text(), StringComparison.Ordinal);
        Assert.True((await admin.GetAccessFailuresAsync(id)).Forbidden >= 1);
    }

    [Fact]
    public async Task Exec_GatedByApproval_ReportsPending_ThenReturnsTheOutcome_OrTheDenial()
    {
        using var admin = _session.AdminClient();
        await admin.Policies.PutAsync("gate", """
            tools:
              approval: [ "echo gated *" ]
            approval_timeout: 2m
            """);
        await using var mcp = await McpClients.OverHttpAsync(_session.Daemon, _session.Daemon.Token);
        var id = McpClients.SandboxId(await mcp.OkAsync("create_sandbox", new { isolation = "container", policy = "gate" }));
        try
        {
            var pending = new ApprovalProgress();
            var call = mcp.CallAsync("exec_command", new { sandbox_id = id, argv = new[] { "echo", "gated", "run" } }, pending);
            var message = await pending.Message.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(call.IsCompleted);
            var approvalId = message.Split(' ').First(w => w.StartsWith("ap_", StringComparison.Ordinal));
            Assert.Contains($"airlock approvals approve {approvalId}", message, StringComparison.Ordinal);
            Assert.Equal(ApprovalState.Pending, (await admin.Approvals.GetAsync(approvalId)).State);
            await admin.Approvals.ResolveAsync(approvalId, approve: true, "fine by me");
            var ran = await call.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(ran.IsError != true, ran.Text());
            Assert.Contains($"approval: {approvalId} was granted", ran.Text(), StringComparison.Ordinal);
            Assert.Contains("gated run", ran.Text(), StringComparison.Ordinal);

            var refused = new ApprovalProgress();
            var denied = mcp.CallAsync("exec_command", new { sandbox_id = id, command = "echo gated push" }, refused);
            var second = (await refused.Message.Task.WaitAsync(TimeSpan.FromSeconds(60))).Split(' ').First(w => w.StartsWith("ap_", StringComparison.Ordinal));
            await admin.Approvals.ResolveAsync(second, approve: false, "not today");
            var answer = await denied.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(answer.IsError);
            Assert.Contains("denied by admin: not today", answer.Text(), StringComparison.Ordinal);
        }
        finally
        {
            await mcp.CallAsync("destroy_sandbox", new { sandbox_id = id });
        }
    }

    /// <summary>Catches the first progress message that names an approval.</summary>
    private sealed class ApprovalProgress : IProgress<ProgressNotificationValue>
    {
        public TaskCompletionSource<string> Message { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Report(ProgressNotificationValue value)
        {
            if (value.Message?.Contains("ap_", StringComparison.Ordinal) == true) Message.TrySetResult(value.Message);
        }
    }
}
