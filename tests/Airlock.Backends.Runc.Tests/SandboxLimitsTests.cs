using Airlock.Backends.Runc.Tests.Fixtures;
using Xunit.Abstractions;

namespace Airlock.Backends.Runc.Tests;

/// <summary>Memory, pids and disk limits hold, are counted, and a sandbox that hit them still destroys cleanly.</summary>
[Collection(RuncIntegrationCollection.Name)]
public sealed class SandboxLimitsTests(ITestOutputHelper output)
{
    [IntegrationFact]
    public async Task Memory_AllocatingPastTheLimit_IsOomKilled_AndCounted_WhileTheAgentSurvives()
    {
        await using var sandbox = await TestSandbox.CreateAsync(memoryBytes: 64L << 20);
        var before = await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id);

        var (code, text) = await sandbox.ExecAsync("python3 -c 'b = bytearray(300 * 1024 * 1024); print(len(b))'", timeoutSeconds: 60);
        output.WriteLine($"exit {code}: {text}");

        var after = await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id);
        output.WriteLine($"oom kills {before.OomKills} -> {after.OomKills}");
        Assert.Equal(137, code);
        Assert.True(after.OomKills > before.OomKills);
        Assert.Equal(0, (await sandbox.ExecAsync("true")).ExitCode);
    }

    [IntegrationFact]
    public async Task Pids_AForkBombIsContained_Counted_AndTheSandboxStillDestroys()
    {
        await using var sandbox = await TestSandbox.CreateAsync(pids: 64);
        var (code, text) = await sandbox.ExecAsync("bomb() { bomb | bomb & }; bomb; sleep 3", timeoutSeconds: 8);
        output.WriteLine($"exit {code}: {text[..Math.Min(text.Length, 300)]}");

        var counters = await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id);
        output.WriteLine($"pids refused {counters.PidsRefused}");
        Assert.True(counters.PidsRefused > 0);

        var destroy = System.Diagnostics.Stopwatch.StartNew();
        await sandbox.Backend.DestroyAsync(sandbox.Id);
        output.WriteLine($"destroy after fork bomb: {destroy.ElapsedMilliseconds} ms");
        await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id);
    }

    [IntegrationFact]
    public async Task Disk_WritingPastTheQuota_IsEnospcInside_AndCostsTheHostAtMostTheQuota()
    {
        const long quota = 100L << 20;
        await using var sandbox = await TestSandbox.CreateAsync(diskBytes: quota);
        var hostFreeBefore = new DriveInfo(sandbox.Paths.DataDirectory).AvailableFreeSpace;

        var (code, text) = await sandbox.ExecAsync("dd if=/dev/zero of=/big bs=1M count=500 2>&1; sync", timeoutSeconds: 60);
        output.WriteLine($"exit {code}: {text}");
        var hostFreeAfter = new DriveInfo(sandbox.Paths.DataDirectory).AvailableFreeSpace;
        output.WriteLine($"host free space dropped by {(hostFreeBefore - hostFreeAfter) >> 20} MiB");

        Assert.Contains("No space left on device", text);
        Assert.True(hostFreeBefore - hostFreeAfter <= quota + (16L << 20), $"host lost {(hostFreeBefore - hostFreeAfter) >> 20} MiB for a 100 MiB quota");
    }
}
