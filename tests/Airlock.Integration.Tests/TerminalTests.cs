using System.Net;
using System.Text;
using Airlock.Client;

namespace Airlock.Integration.Tests;

/// <summary>PTY sessions through a real daemon, over its WebSocket, with the SDK.</summary>
[Collection(SandboxCollection.Name)]
public sealed class TerminalTests : DaemonClientTests
{
    [Fact]
    public async Task Terminal_ResizesRunsPythonInteractively_AndReportsTheExitCode_AndIsAudited()
    {
        await using var sandbox = await Sandbox.CreateAsync(_client.Operations, new SandboxSpec { Isolation = "container" });
        await using var terminal = await sandbox.OpenTerminalAsync(80, 24);
        var screen = new TerminalScreen(terminal.Output);

        await terminal.ResizeAsync(132, 50);
        await Type(terminal, "stty size\n");
        await screen.WaitForAsync("50 132");

        int mark = screen.Text.Length;
        await Type(terminal, "python3\n");
        await screen.WaitForAsync(">>> ", mark);
        mark = screen.Text.Length;
        await Type(terminal, "6*7\n");
        await screen.WaitForAsync("42", mark);
        await Type(terminal, "exit()\n");
        await Type(terminal, "exit 7\n");
        await screen.DrainAsync();
        Assert.Equal(7, await terminal.WaitForExitAsync());
        await terminal.DisposeAsync();

        var audit = await _session.Http.GetStringAsync($"/v1/audit?sandbox={sandbox.Id}&kind=terminal.");
        Assert.Contains("terminal.opened", audit);
        Assert.Contains("\"exit_code\":\"7\"", audit);
        Assert.DoesNotContain("6*7", audit); // keystrokes are not recorded
    }

    [Fact]
    public async Task Terminal_UnknownSandbox_Is404_AndWithoutAToken_Is401()
    {
        var sandbox = Sandbox.Attach(_client.Operations, new SandboxInfo { Id = "nosuchsandbox1", Image = "python", Isolation = "container", State = SandboxState.Running, Limits = new ResourceLimits(), CreatedAt = DateTimeOffset.UtcNow });
        var missing = await Assert.ThrowsAsync<AirlockException>(() => sandbox.OpenTerminalAsync());
        Assert.Equal(AirlockErrorKind.NotFound, missing.Kind);
        Assert.Contains("nosuchsandbox1", missing.Message);

        using var anonymous = new AirlockClient(_session.Daemon.Url, "not-the-token");
        var refused = await Assert.ThrowsAsync<AirlockException>(() => Sandbox.Attach(anonymous.Operations, sandbox.Info).OpenTerminalAsync());
        Assert.Equal(AirlockErrorKind.Unauthorized, refused.Kind);

        using var raw = new HttpClient { BaseAddress = _session.Daemon.Url };
        var response = await raw.GetAsync("/v1/sandboxes/nosuchsandbox1/pty");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Terminal_BadSize_Is400_AndAPlainGet_SaysItIsAWebSocket()
    {
        var created = await _session.CreateSandboxAsync(new { isolation = "container" });
        string id = created.GetProperty("id").GetString()!;
        var bad = await _session.Http.GetAsync($"/v1/sandboxes/{id}/pty?cols=0&rows=24");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("1..1000", await bad.Content.ReadAsStringAsync());
        var plain = await _session.Http.GetAsync($"/v1/sandboxes/{id}/pty");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("WebSocket", await plain.Content.ReadAsStringAsync());
    }

    private static async Task Type(ISandboxTerminal terminal, string text) =>
        await terminal.Input.WriteAsync(Encoding.UTF8.GetBytes(text));
}
