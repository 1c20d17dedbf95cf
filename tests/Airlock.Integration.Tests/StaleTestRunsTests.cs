using System.Diagnostics;

namespace Airlock.Integration.Tests;

/// <summary>The sweep of a killed run's residue: a real container sandbox in a data directory whose owner is gone.</summary>
[Collection(SandboxCollection.Name)]
public sealed class StaleTestRunsTests
{
    [Fact]
    public async Task AKilledRunsDataDirectory_LosesItsSandboxAndMounts_ALiveRunsIsLeftAlone()
    {
        using var live = new TempDataDir();
        var dead = Directory.CreateTempSubdirectory(StaleTestRuns.Prefix).FullName;
        using (var gone = Process.Start("true")!)
        {
            await gone.WaitForExitAsync();
            File.WriteAllText(Path.Combine(dead, StaleTestRuns.OwnerFile), gone.Id.ToString());
        }

        var created = await Cli.RunAsync(dead, "create", "--isolation", "container");
        Assert.Equal(0, created.ExitCode);
        var id = created.Stdout.Trim().Split('\n')[^1];
        Assert.NotEmpty(HostProbe.MountsUnder(dead));

        await StaleTestRuns.SweepAsync();

        Assert.False(Directory.Exists(dead), $"{dead} is still there");
        Assert.DoesNotContain(dead, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/airlock/{id}") || Directory.Exists($"/sys/fs/cgroup/airlock/{id}"));
        Assert.True(Directory.Exists(live.Path));
    }
}
