using System.Text;

namespace Airlock.Guest.Tests;

public sealed class TerminalTests : IClassFixture<AgentFixture>
{
    private readonly AgentFixture _agent;

    public TerminalTests(AgentFixture agent)
    {
        _agent = agent;
    }

    [Fact]
    public async Task Terminal_AfterResize_SttyReportsTheNewSize_AndTheExitCodeComesBack()
    {
        await using var terminal = await _agent.Client.OpenTerminalAsync(new TerminalRequest { Command = ["/bin/sh"], Columns = 80, Rows = 24 });
        var screen = new TerminalScreen(terminal.Output);
        await Type(terminal, "stty size; tty\n");
        await screen.WaitForAsync("24 80");
        await screen.WaitForAsync("/dev/pts/");

        await terminal.ResizeAsync(132, 50);
        int mark = screen.Text.Length;
        await Type(terminal, "stty size\n");
        await screen.WaitForAsync("50 132", mark);

        await Type(terminal, "exit 3\n");
        await screen.DrainAsync();
        Assert.Equal(3, await terminal.WaitForExitAsync());
    }

    [Fact]
    public async Task Terminal_IsTheCommandsControllingTerminal_SoCtrlCInterruptsIt()
    {
        await using var terminal = await _agent.Client.OpenTerminalAsync(new TerminalRequest { Command = ["/bin/sh", "-c", "echo ready; sleep 100; echo not-interrupted"] });
        var screen = new TerminalScreen(terminal.Output);
        await screen.WaitForAsync("ready");
        await Type(terminal, "\u0003");
        await screen.DrainAsync();
        Assert.DoesNotContain("not-interrupted", screen.Text);
        Assert.Equal(130, await terminal.WaitForExitAsync());
    }

    [Fact]
    public async Task Terminal_ClosingInput_TypesEndOfFile()
    {
        await using var terminal = await _agent.Client.OpenTerminalAsync(new TerminalRequest { Command = ["/bin/cat"] });
        var screen = new TerminalScreen(terminal.Output);
        await Type(terminal, "hello\n");
        await screen.WaitForAsync("hello");
        await terminal.Input.DisposeAsync();
        await screen.DrainAsync();
        Assert.Equal(0, await terminal.WaitForExitAsync());
    }

    [Fact]
    public async Task Terminal_UnknownCommand_IsAClearError()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.OpenTerminalAsync(new TerminalRequest { Command = ["no-such-shell"] }));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("no-such-shell: command not found", e.Message);
    }

    [Fact]
    public async Task Terminal_BadSize_IsRefusedBeforeAnythingRuns()
    {
        var e = await Assert.ThrowsAsync<AirlockException>(() => _agent.Client.OpenTerminalAsync(new TerminalRequest { Command = ["/bin/sh"], Columns = 0 }));
        Assert.Equal(AirlockErrorKind.InvalidArgument, e.Kind);
    }

    private static async Task Type(ISandboxTerminal terminal, string text) =>
        await terminal.Input.WriteAsync(Encoding.UTF8.GetBytes(text));
}
