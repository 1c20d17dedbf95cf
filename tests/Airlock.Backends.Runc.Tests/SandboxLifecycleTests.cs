using Airlock.Backends.Runc.Tests.Fixtures;
using Airlock.Core.Backends;
using Xunit.Abstractions;

namespace Airlock.Backends.Runc.Tests;

[Collection(RuncIntegrationCollection.Name)]
public sealed class SandboxLifecycleTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Create_StartsTheAgentThroughItsRealCommandLine_AndExecWorks()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        output.WriteLine(string.Join(", ", sandbox.Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds:0.0}ms")));

        var (code, text) = await sandbox.ExecAsync("cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname; echo $AIRLOCK_TEST; id -u; ls -l /.airlock/agent");
        output.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Contains("/.airlock/agent serve --socket /run/airlock/agent.sock", text);
        Assert.Contains("sbx-" + sandbox.Id, text);
        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
    }
}
