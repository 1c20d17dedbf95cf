using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>
/// samples/Airlock.Samples.Agent run as its own process against a real daemon: a FunctionInvokingChatClient over the
/// sample's scripted model calls the sandbox's AIFunctions, and the printed transcript shows each call and result.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AgentSampleTests : IAsyncLifetime
{
    private DaemonSession _session = null!;

    public async Task InitializeAsync() => _session = await DaemonSession.StartAsync();

    public async Task DisposeAsync() => await _session.DisposeAsync();

    [Fact]
    public async Task ScriptedAgent_CallsRunCodeTwice_WritesAndReadsTheAnswer_AndPrintsTheTranscript()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Airlock.Samples.Agent.dll"));
        psi.ArgumentList.Add("--isolation");
        psi.ArgumentList.Add("container");
        psi.Environment["AIRLOCK_HOST"] = _session.Daemon.Url.ToString();
        psi.Environment["AIRLOCK_TOKEN"] = _session.Daemon.Token;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
        {
            await process.WaitForExitAsync(limit.Token);
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        var lines = output.Split('\n');
        var expected = new[]
        {
            """tool call: run_code({"code":"x = 21"})""",
            """tool call: run_code({"code":"x * 2"})""",
            "tool result: --- result ---",
            """tool call: write_file({"path":"/workspace/answer.txt","content":"42"})""",
            "tool result: wrote 2 bytes to /workspace/answer.txt",
            """tool call: read_file({"path":"/workspace/answer.txt"})""",
            "tool result: 42",
            "assistant: x * 2 is 42; it is saved in /workspace/answer.txt.",
        };
        var at = 0;
        foreach (var line in expected)
        {
            var found = Array.IndexOf(lines, line, at);
            Assert.True(found >= 0, $"'{line}' not found in order in:\n{output}");
            at = found + 1;
        }

        // The sample disposed its sandbox: nothing of it is left running on the daemon.
        using var admin = _session.AdminClient();
        Assert.DoesNotContain(await admin.Operations.ListAsync(), s => s.State == SandboxState.Running);
    }
}
