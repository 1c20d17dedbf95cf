using Airlock.Backends.Gvisor.Tests.Fixtures;
using Airlock.Core.Backends;
using Xunit.Abstractions;

namespace Airlock.Backends.Gvisor.Tests;

/// <summary>Memory, pids, disk and timeout limits hold under gVisor, and a sandbox that hit them still destroys cleanly.</summary>
[Collection(GvisorIntegrationCollection.Name)]
public sealed class SandboxLimitsTests(ITestOutputHelper output)
{
    /// <summary>
    /// The agent's memory guard kills the command at the user's limit before the host cgroup (limit + gVisor's
    /// own footprint) fills, so only the command dies, with exit 137 and memory, and the sandbox lives on.
    /// </summary>
    [IntegrationFact]
    public async Task Memory_AllocatingPastTheLimit_KillsTheCommand_SaysMemory_AndTheSandboxLivesOn()
    {
        await using var sandbox = await TestSandbox.CreateAsync(memoryBytes: 64L << 20);
        var before = await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id);

        var (result, text) = await sandbox.ExecAsync("python3 -c 'b = bytearray(300 * 1024 * 1024); print(len(b))'", timeoutSeconds: 60);
        output.WriteLine($"exit {result.ExitCode} signal {result.Signal} killed by {result.KilledBy}: {text}");
        Assert.Equal(137, result.ExitCode);
        Assert.Equal(ExecResult.Limits.Memory, result.KilledBy);
        Assert.DoesNotContain("314572800", text, StringComparison.Ordinal);

        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
        Assert.Equal(before.OomKills, (await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id)).OomKills);
        var (after, echoed) = await sandbox.ExecAsync("echo still here", timeoutSeconds: 30);
        Assert.Equal(0, after.ExitCode);
        Assert.Contains("still here", echoed, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public async Task Memory_WithinTheLimit_GvisorsOwnFootprintDoesNotCount()
    {
        await using var sandbox = await TestSandbox.CreateAsync(memoryBytes: 128L << 20);
        var (result, text) = await sandbox.ExecAsync("python3 -c 'b = bytearray(96 * 1024 * 1024); b[::4096] = b\"x\" * len(b[::4096]); print(len(b))'", timeoutSeconds: 60);
        output.WriteLine($"exit {result.ExitCode}: {text}");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
    }

    /// <summary>
    /// The bomb is held to the sandbox's limit inside the sentry and the host backstop never trips, so runsc
    /// never aborts; the agent, whose own limit keeps a reserve above the user's, answers throughout.
    /// </summary>
    [IntegrationFact]
    public async Task Pids_AForkBombIsContainedInsideTheSentry_RunscDoesNotCrash_AndTheSandboxStillDestroys()
    {
        await using var sandbox = await TestSandbox.CreateAsync(pids: 64);
        var sentry = sandbox.SentryPid();
        var (result, text) = await sandbox.ExecAsync("bomb() { bomb | bomb & }; bomb; sleep 5", timeoutSeconds: 8);
        output.WriteLine($"exit {result.ExitCode} killed by {result.KilledBy}: {text[..Math.Min(text.Length, 300)]}");
        Assert.Contains("Resource temporarily unavailable", text);

        output.WriteLine($"host tasks now {ReadPids(sandbox.Id, "pids.current")}, peak {ReadPids(sandbox.Id, "pids.peak")}, backstop {ReadPids(sandbox.Id, "pids.max")}");
        Assert.Equal(0, (await sandbox.Backend.ReadLimitCountersAsync(sandbox.Id)).PidsRefused);
        var panicLog = Path.Combine(sandbox.Directory, "bundle", "runsc-panic.log");
        Assert.True(!File.Exists(panicLog) || new FileInfo(panicLog).Length == 0, File.Exists(panicLog) ? File.ReadAllText(panicLog) : "");

        // The agent holds threads beyond the user's 64 (its own RLIMIT_NPROC has AgentTaskReserve more): it
        // outlives the bomb, killed the bomb's process group at the timeout, and runs the next command.
        Assert.Equal(BackendState.Running, await sandbox.Backend.GetStateAsync(sandbox.Id));
        Assert.True(HostLeftovers.IsAlive(sentry!.Value), "runsc's sentry died");
        var (alive, aliveText) = await sandbox.ExecAsync("echo alive", timeoutSeconds: 10);
        Assert.Equal(0, alive.ExitCode);
        Assert.Equal("alive\n", aliveText);

        var destroy = System.Diagnostics.Stopwatch.StartNew();
        await sandbox.Backend.DestroyAsync(sandbox.Id);
        output.WriteLine($"destroy after fork bomb: {destroy.ElapsedMilliseconds} ms");
        await HostLeftovers.AssertNoneAsync(sandbox.Backend, sandbox.Paths, sandbox.Id, sentry);
    }

    /// <summary>One process forks until refused (no shell retries), then frees the slots at once: the window in which the agent shares a full limit stays short.</summary>
    [IntegrationFact]
    public async Task Pids_TheUsersLimitCountsTheSandboxsTasks()
    {
        const string forkUntilRefused = """
            import errno, os, time
            pids, err = [], None
            try:
                for _ in range(200):
                    pid = os.fork()
                    if pid == 0:
                        time.sleep(5)
                        os._exit(0)
                    pids.append(pid)
            except OSError as e:
                err = errno.errorcode[e.errno]
            for pid in pids:
                os.kill(pid, 9)
            for pid in pids:
                os.waitpid(pid, 0)
            print("forked", len(pids), err)
            """;
        // 63 sleeping Pythons hold ~250 MiB in gVisor's accounting (their heaps are copied on first write):
        // memory must not be what stops them here.
        await using var sandbox = await TestSandbox.CreateAsync(pids: 64, memoryBytes: 1L << 30);
        var (result, text) = await sandbox.ExecAsync($"python3 -c '{forkUntilRefused}'", timeoutSeconds: 30);
        output.WriteLine($"exit {result.ExitCode}: {text}");
        var words = text.Split('\n').Single(l => l.StartsWith("forked ", StringComparison.Ordinal)).Split(' ');
        Assert.InRange(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture), 10, 63);
        Assert.Equal("EAGAIN", words[2]);
    }

    [IntegrationFact]
    public async Task Disk_WritingPastTheQuota_IsEnospcInside_AndCostsTheHostAtMostTheQuota()
    {
        const long quota = 100L << 20;
        await using var sandbox = await TestSandbox.CreateAsync(diskBytes: quota);
        var hostFreeBefore = new DriveInfo(sandbox.Paths.DataDirectory).AvailableFreeSpace;

        var (result, text) = await sandbox.ExecAsync("dd if=/dev/zero of=/big bs=1M count=500 2>&1; sync", timeoutSeconds: 90);
        output.WriteLine($"exit {result.ExitCode}: {text}");
        var hostFreeAfter = new DriveInfo(sandbox.Paths.DataDirectory).AvailableFreeSpace;
        output.WriteLine($"host free space dropped by {(hostFreeBefore - hostFreeAfter) >> 20} MiB");

        Assert.Contains("No space left on device", text);
        Assert.True(hostFreeBefore - hostFreeAfter <= quota + (16L << 20), $"host lost {(hostFreeBefore - hostFreeAfter) >> 20} MiB for a 100 MiB quota");
    }

    [IntegrationFact]
    public async Task Timeout_TheAgentKillsTheCommand_AndSaysTimeout()
    {
        await using var sandbox = await TestSandbox.CreateAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (result, text) = await sandbox.ExecAsync("sleep 30", timeoutSeconds: 1);
        output.WriteLine($"exit {result.ExitCode} killed by {result.KilledBy} after {clock.ElapsedMilliseconds} ms: {text}");
        Assert.Equal(ExecResult.Limits.Timeout, result.KilledBy);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(0, (await sandbox.ExecAsync("true")).Result.ExitCode);
    }

    private static string ReadPids(string id, string file)
    {
        var path = Path.Combine("/sys/fs/cgroup/pids/airlock", id, file);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
    }
}
