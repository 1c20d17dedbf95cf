using Airlock.Backends.Runc.Tests.Fixtures;
using Airlock.Core.Backends;
using Airlock.Oci;
using Xunit.Abstractions;

namespace Airlock.Backends.Runc.Tests;

/// <summary>DestroyAsync removes everything, from any point a crash could leave, and is idempotent.</summary>
[Collection(RuncIntegrationCollection.Name)]
public sealed class SandboxTeardownTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Destroy_LeavesNoMountLoopCgroupRuncStateProcessOrDirectory_AndIsIdempotent()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        Assert.Contains(sandbox.Id, await sandbox.Backend.ListHostSandboxesAsync());
        var initPid = int.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.Paths.SandboxDirectory(sandbox.Id), "bundle", "init.pid")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await sandbox.ExecAsync("(sleep 600 >/dev/null 2>&1 &); (sleep 600 >/dev/null 2>&1 &); echo started")).ExitCode);

        await sandbox.Backend.DestroyAsync(sandbox.Id);
        await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id, initPid);
        await sandbox.Backend.DestroyAsync(sandbox.Id);
        await sandbox.Backend.DestroyAsync("never-created");
    }

    [IntegrationFact]
    public async Task Destroy_AfterACrashBetweenMountAndRuncRun_CleansUpFromTheIdAlone()
    {
        var paths = TestHost.NewDataDirectory();
        var backend = new RuncBackend(paths);
        var id = TestHost.NewId();
        var layout = SandboxLayout.For(paths, id);
        try
        {
            // Replay CreateAsync's first steps by hand, then "crash" (drop every in-memory object).
            Directory.CreateDirectory(layout.Bundle);
            Directory.CreateDirectory(layout.Rootfs);
            await SandboxDisk.PrepareAsync(layout, 64L << 20, TestHost.Rootfs, new BlankDiskPool(paths), default);
            Assert.Equal(2, HostMounts.MountsUnder(layout.Directory).Count);
            Assert.NotEmpty(SandboxDisk.FindLoopDevices(layout));

            await new RuncBackend(paths).DestroyAsync(id);
            await HostLeftovers.AssertNoneAsync(backend, paths, id);
        }
        finally
        {
            await backend.DestroyAsync(id);
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }

    [IntegrationFact]
    public async Task Destroy_AfterRuncRunWithoutAnyInMemoryState_KillsAndCleansUp()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        // A fresh backend instance, as after a daemon restart.
        var restarted = new RuncBackend(sandbox.Paths);
        Assert.Equal(BackendState.Running, await restarted.GetStateAsync(sandbox.Id));
        await restarted.DestroyAsync(sandbox.Id);
        await HostLeftovers.AssertNoneAsync(restarted, sandbox.Paths, sandbox.Id);
    }

    [IntegrationFact]
    public async Task PauseAndResume_ChangeTheState_AndTtlEndsTheSandbox()
    {
        await using var sandbox = await TestSandbox.CreateAsync(ttl: TimeSpan.FromSeconds(2));
        await sandbox.Backend.PauseAsync(sandbox.Id);
        Assert.Equal(BackendState.Paused, await sandbox.Backend.GetStateAsync(sandbox.Id));
        await sandbox.Backend.ResumeAsync(sandbox.Id);
        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await sandbox.Backend.GetStateAsync(sandbox.Id) == BackendState.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(BackendState.Stopped, await sandbox.Backend.GetStateAsync(sandbox.Id));
        output.WriteLine("agent exited after its TTL; state Stopped");
    }

    [IntegrationFact]
    public async Task Destroy_OfAPausedSandbox_ThawsKillsAndCleansUp()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        Assert.Equal(0, (await sandbox.ExecAsync("(sleep 600 >/dev/null 2>&1 &); echo started")).ExitCode);
        await sandbox.Backend.PauseAsync(sandbox.Id);
        await sandbox.Backend.DestroyAsync(sandbox.Id);
        await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id);
    }

    [IntegrationFact]
    public async Task Create_WhenTheAgentNeverListens_FailsWithAClearError_AndLeavesNothing()
    {
        var paths = TestHost.NewDataDirectory();
        var backend = new RuncBackend(paths, new RuncBackendOptions
        {
            AgentReadyTimeout = TimeSpan.FromSeconds(2),
            ExtraSpecOptions = [SpecOptions.WithArgs("/bin/sh", "-c", "echo not an agent; exit 3")],
        });
        var id = TestHost.NewId();
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => backend.CreateAsync(TestSandbox.NewRequest(id)));
            output.WriteLine(error.Message);
            Assert.Contains("agent", error.Message);
            await HostLeftovers.AssertNoneAsync(backend, paths, id);
        }
        finally
        {
            await backend.DestroyAsync(id);
            Directory.Delete(paths.DataDirectory, recursive: true);
        }
    }

    [IntegrationFact]
    public async Task Probe_ReportsTheTierAvailable_WithRuncVersionAndCgroupMode()
    {
        var probe = await Task.Run(new RuncBackend(new Airlock.Core.AirlockPaths(TestHost.CacheDirectory)).Probe);
        output.WriteLine(probe.Reason);
        Assert.True(probe.Available, probe.Reason);
        Assert.Contains("runc version", probe.Reason);
        Assert.Contains("cgroup", probe.Reason);
    }
}
