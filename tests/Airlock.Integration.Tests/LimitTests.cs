namespace Airlock.Integration.Tests;

[Collection(SandboxCollection.Name)]
public sealed class LimitTests : IDisposable
{
    private readonly TempDataDir _data = new();

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Memory_AllocatingPastTheLimit_IsKilledAndReportedAsMemory_Exit137(string tier)
    {
        var result = await Cli.RunAsync(_data.Path, "run", "--isolation", tier, "--memory", "64m", "--", "python3", "-c", "x = bytearray(300 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); print('survived')");
        Assert.True(result.ExitCode == 137, result.ToString());
        Assert.Contains("memory", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("survived", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(HostProbe.MountsUnder(_data.Path));
    }

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Pids_AForkBomb_IsContained_AndTheSandboxCanBeRemoved(string tier)
    {
        var created = await Cli.RunAsync(_data.Path, "create", "--isolation", tier, "--pids", "64");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            var bomb = await Cli.RunAsync(_data.Path, ["exec", "--timeout", "5s", id, "--", "bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 30"], null, TimeSpan.FromMinutes(1));
            Assert.True(bomb.ExitCode is 124 or 137, bomb.ToString());
            // The sandbox still answers, and so does the host: a fork bomb inside is the sandbox's problem only.
            var after = await Cli.RunAsync(_data.Path, "ps", "--json");
            Assert.Contains(id, after.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            var rm = await Cli.RunAsync(_data.Path, "rm", id);
            Assert.True(rm.ExitCode == 0, rm.ToString());
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Disk_WritingPastTheQuota_FailsWithEnospcInside_AndTheHostLosesAtMostTheQuota(string tier)
    {
        var before = new DriveInfo(_data.Path).AvailableFreeSpace;
        var created = await Cli.RunAsync(_data.Path, "create", "--isolation", tier, "--disk", "100m");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        try
        {
            var write = await Cli.RunAsync(_data.Path, ["exec", id, "--", "sh", "-c", "dd if=/dev/zero of=/workspace/big bs=1M count=500 2>&1; echo rc=$?"], null, TimeSpan.FromMinutes(2));
            Assert.Contains("No space left on device", write.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("rc=0", write.Stdout, StringComparison.Ordinal);
            var during = new DriveInfo(_data.Path).AvailableFreeSpace;
            Assert.True(before - during <= 110L << 20, $"the host lost {(before - during) >> 20} MiB for a 100 MiB quota");
        }
        finally
        {
            await Cli.RunAsync(_data.Path, "rm", id);
        }

        Assert.Empty(HostProbe.TracesOf(_data.Path, id));
    }

    /// <summary>
    /// Two busy processes for 2 s of wall time: at half a CPU they do about a quarter of the work they do at two (0.18-0.27
    /// measured on each tier of a 2-core host), so the limit holds whatever the tier and whenever it is applied.
    /// </summary>
    [Theory]
    [MemberData(nameof(Tiers.All), MemberType = typeof(Tiers))]
    public async Task Cpu_TwoBusyProcessesAtHalfACpu_DoLessThanHalfTheWorkTheyDoAtTwo(string tier)
    {
        var atTwo = await SpinAsync(tier, "2");
        var atHalf = await SpinAsync(tier, "0.5");
        Assert.True(atHalf > 0 && atHalf < 0.5 * atTwo, $"{atHalf} loop iterations at --cpus 0.5 against {atTwo} at --cpus 2");
    }

    private async Task<long> SpinAsync(string tier, string cpus)
    {
        const string Spin = """
            import multiprocessing as m, time
            def spin(q):
                n = 0; end = time.monotonic() + 2
                while time.monotonic() < end:
                    for _ in range(10000): n += 1
                q.put(n)
            q = m.Queue(); ps = [m.Process(target=spin, args=(q,)) for _ in range(2)]
            [p.start() for p in ps]; total = sum(q.get() for _ in ps); [p.join() for p in ps]
            print(total)
            """;
        var result = await Cli.RunAsync(_data.Path, "run", "--isolation", tier, "--cpus", cpus, "--", "python3", "-c", Spin);
        var printed = long.TryParse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var iterations);
        Assert.True(result.ExitCode == 0 && printed, result.ToString());
        return iterations;
    }

    public void Dispose() => _data.Dispose();
}
