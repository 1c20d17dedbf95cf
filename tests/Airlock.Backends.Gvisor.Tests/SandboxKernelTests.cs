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
}
