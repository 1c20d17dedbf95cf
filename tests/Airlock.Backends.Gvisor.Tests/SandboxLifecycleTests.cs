using Airlock.Backends.Gvisor.Tests.Fixtures;
using Airlock.Core.Backends;
using Xunit.Abstractions;

namespace Airlock.Backends.Gvisor.Tests;

/// <summary>A gVisor sandbox starts, runs commands through the agent, pauses, and leaves nothing behind when destroyed.</summary>
[Collection(GvisorIntegrationCollection.Name)]
public sealed class SandboxLifecycleTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Create_Exec_Destroy_LeavesNoRunscProcessMountLoopCgroupOrState()
    {
        var sandbox = await TestSandbox.CreateAsync();
        await using (sandbox)
        {
            output.WriteLine(string.Join(", ", sandbox.Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds:0} ms")));
            var (result, text) = await sandbox.ExecAsync("echo hello from $(hostname); echo $AIRLOCK_TEST; id -u; touch /workfile && echo writable");
            output.WriteLine(text);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"hello from sbx-{sandbox.Id}", text);
            Assert.Contains("writable", text);
            Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
            Assert.Contains(sandbox.Id, await sandbox.Backend.ListHostSandboxesAsync());

            // Files written inside land on the sandbox's own disk, owned by the mapped root on the host.
            var upper = Path.Combine(sandbox.Directory, "disk", "upper", "workfile");
            Assert.True(File.Exists(upper));
            Assert.Equal("100000000", (await Airlock.Oci.HostCommand.CheckAsync("stat", ["-c", "%u", upper])).Stdout.Trim());

            var sentry = sandbox.SentryPid();
            await sandbox.Backend.DestroyAsync(sandbox.Id);
            await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id, sentry);
        }
    }

    [IntegrationFact]
    public async Task Destroy_FromANewBackendInstance_CleansUpFromTheIdAlone()
    {
        var sandbox = await TestSandbox.CreateAsync();
        await using (sandbox)
        {
            var sentry = sandbox.SentryPid();
            Assert.Equal(0, (await sandbox.ExecAsync("true")).Result.ExitCode);

            // As after kill -9 of the daemon: nothing in memory, only the id and the data directory.
            var restarted = new GvisorBackend(sandbox.Paths);
            Assert.Contains(sandbox.Id, await restarted.ListHostSandboxesAsync());
            await restarted.DestroyAsync(sandbox.Id);
            await restarted.DestroyAsync(sandbox.Id);
            await HostLeftovers.AssertNoneAsync(restarted, sandbox.Paths, sandbox.Id, sentry);
        }
    }

    [IntegrationFact]
    public async Task Destroy_OfAPausedSandbox_CleansUp()
    {
        // runsc's own `delete --force` panics on a paused container (found by the API fuzzer as a DELETE 500).
        var sandbox = await TestSandbox.CreateAsync();
        await using (sandbox)
        {
            var sentry = sandbox.SentryPid();
            await sandbox.Backend.PauseAsync(sandbox.Id);
            Assert.Equal(BackendState.Paused, await sandbox.Backend.GetStateAsync(sandbox.Id));
            await sandbox.Backend.DestroyAsync(sandbox.Id);
            await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id, sentry);
        }
    }

    [IntegrationFact]
    public async Task RunscLockFileLeftByAKilledDelete_IsListed_AndDestroyRemovesIt()
    {
        // What a daemon killed during `runsc delete` leaves: runsc no longer lists the container, its lock file remains.
        var sandbox = await TestSandbox.CreateAsync();
        await using (sandbox)
        {
            await sandbox.Backend.DestroyAsync(sandbox.Id);
            var stale = Path.Combine(sandbox.Backend.RunscRoot, $"airlock-{sandbox.Id}_sandbox:airlock-{sandbox.Id}.lock");
            await File.WriteAllTextAsync(stale, "");

            var restarted = new GvisorBackend(sandbox.Paths);
            Assert.Contains(sandbox.Id, await restarted.ListHostSandboxesAsync());
            await restarted.DestroyAsync(sandbox.Id);
            Assert.False(File.Exists(stale));
            Assert.DoesNotContain(sandbox.Id, await restarted.ListHostSandboxesAsync());
        }
    }

    [IntegrationFact]
    public async Task Destroy_AfterTheSentryWasKilled_CleansUp()
    {
        var sandbox = await TestSandbox.CreateAsync();
        await using (sandbox)
        {
            var sentry = sandbox.SentryPid()!.Value;
            System.Diagnostics.Process.GetProcessById(sentry).Kill();
            await Task.Delay(200);
            Assert.NotEqual(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
            await sandbox.Backend.DestroyAsync(sandbox.Id);
            await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id, sentry);
        }
    }

    [IntegrationFact]
    public async Task Create_FailingWhileTheLauncherIsHeld_EndsTheLauncherWithNothingStarted_AndLeavesNothing()
    {
        // The launcher (runsc-exec --hold) is started before the disk and config exist; a failure in between must end it
        // through its closed input, before the cgroups it sits in are removed.
        var paths = TestHost.NewDataDirectory();
        var id = TestHost.NewId();
        var launched = new List<(int Pid, string CommandLine)>();
        var backend = new GvisorBackend(paths, new GvisorBackendOptions
        {
            OnCreateStep = (step, _) =>
            {
                if (step != "cgroups-and-launcher") return;
                launched.AddRange(HostLeftovers.LiveProcesses(c => c.Contains(" runsc-exec ", StringComparison.Ordinal) && c.Contains(id, StringComparison.Ordinal)));
                throw new InvalidOperationException("injected: the disk could not be made");
            },
        });
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.CreateAsync(TestSandbox.NewRequest(id)));

            Assert.Equal("injected: the disk could not be made", error.Message);
            var (launcher, commandLine) = Assert.Single(launched);
            Assert.Contains(" --hold ", commandLine, StringComparison.Ordinal);
            Assert.False(HostLeftovers.IsAlive(launcher), $"launcher {launcher} still alive");
            await HostLeftovers.AssertNoneAsync(backend, paths, id);
        }
        finally
        {
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }

    [IntegrationFact]
    public async Task PauseAndResume_FreezeTheSandbox_AndExecWorksAfterwards()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        await sandbox.Backend.PauseAsync(sandbox.Id);
        Assert.Equal(BackendState.Paused, await sandbox.Backend.GetStateAsync(sandbox.Id));
        await sandbox.Backend.ResumeAsync(sandbox.Id);
        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
        Assert.Equal(0, (await sandbox.ExecAsync("true")).Result.ExitCode);
    }

    [IntegrationFact]
    public async Task Ttl_TheAgentExits_AndTheSandboxStops()
    {
        await using var sandbox = await TestSandbox.CreateAsync(ttl: TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await sandbox.Backend.GetStateAsync(sandbox.Id) == BackendState.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(BackendState.Stopped, await sandbox.Backend.GetStateAsync(sandbox.Id));
    }

    [IntegrationFact]
    public async Task Probe_ReportsRunscVersionAndAProbeRun()
    {
        var probe = new GvisorBackend(new Airlock.Core.AirlockPaths(TestHost.CacheDirectory)).Probe();
        output.WriteLine(probe.Reason);
        Assert.True(probe.Available);
        Assert.Contains("runsc version", probe.Reason);
        Assert.Contains("probe sandbox ran", probe.Reason);
    }
}
