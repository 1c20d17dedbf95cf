using Airlock.Backends.Gvisor.Tests.Fixtures;
using Xunit.Abstractions;

namespace Airlock.Backends.Gvisor.Tests;

/// <summary>Code inside talks to gVisor's kernel, not the host's.</summary>
[Collection(GvisorIntegrationCollection.Name)]
public sealed class SandboxKernelTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Dmesg_PrintsGvisorsKernelMessages_AndUnameIsNotTheHosts()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        var (dmesg, dmesgText) = await sandbox.ExecAsync("dmesg");
        output.WriteLine(dmesgText);
        Assert.Equal(0, dmesg.ExitCode);
        Assert.Contains("Starting gVisor", dmesgText);

        var (_, release) = await sandbox.ExecAsync("uname -r");
        var hostRelease = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        output.WriteLine($"inside {release.Trim()}, host {hostRelease}");
        Assert.NotEqual(hostRelease, release.Trim());
    }

    [IntegrationFact]
    public async Task MemTotal_InsideIsTheUsersLimit()
    {
        await using var sandbox = await TestSandbox.CreateAsync(memoryBytes: 256L << 20);
        var (_, text) = await sandbox.ExecAsync("grep MemTotal /proc/meminfo");
        output.WriteLine(text);
        Assert.Contains($"{256 * 1024} kB", text);
    }

    [IntegrationFact]
    public async Task RunscIsBornInTheEnginesCgroups_LimitedToTheUsersMemoryPlusGvisorsOwn()
    {
        await using var sandbox = await TestSandbox.CreateAsync(memoryBytes: 256L << 20, pids: 16);
        var sentry = sandbox.SentryPid() ?? throw new InvalidOperationException("no sentry pid");
        var memory = Directory.Exists("/sys/fs/cgroup/memory") ? $"/sys/fs/cgroup/memory/airlock/{sandbox.Id}" : $"/sys/fs/cgroup/airlock/{sandbox.Id}";
        var limit = File.ReadAllText(Path.Combine(memory, File.Exists(Path.Combine(memory, "memory.max")) ? "memory.max" : "memory.limit_in_bytes")).Trim();
        output.WriteLine($"sentry {sentry}, memory limit {limit}");

        Assert.Equal(((256L << 20) + RunscOverhead.MemoryBytes).ToString(), limit);
        Assert.Contains(sentry.ToString(), File.ReadAllLines(Path.Combine(memory, "cgroup.procs")));
        Assert.Contains($"/airlock/{sandbox.Id}", File.ReadAllText($"/proc/{sentry}/cgroup"));
        // runsc-exec's tmpfs and proc live in runsc's own mount namespace only.
        Assert.DoesNotContain(Path.Combine(sandbox.Directory, "bundle", "launch"), File.ReadAllText("/proc/self/mountinfo"));
    }
}
