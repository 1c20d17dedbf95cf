namespace Airlock.Integration.Tests.Resilience;

/// <summary>
/// kill -9 of the daemon at random points of create, exec, file writes and audit appends, then restart and checks
/// (see <see cref="FaultInjectionRun"/>). CI runs a few iterations; scripts/validate.sh sets
/// AIRLOCK_FAULT_ITERATIONS=50. AIRLOCK_FAULT_SEED replays a run.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task KillMinus9_AtRandomPoints_LeavesNoOrphans_AndLosesNothingAcknowledged()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_FAULT_ITERATIONS"), out var n) ? n : 4;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AIRLOCK_FAULT_SEED"), out var s) ? s : Environment.TickCount & 0xffff;
        using var data = new TempDataDir();
        var problems = new List<string>();
        await using (var run = new FaultInjectionRun(data.Path, seed))
        {
            await run.StartAsync();
            for (var i = 1; i <= iterations; i++)
            {
                problems.AddRange(await run.IterationAsync(i));
            }

            problems.AddRange(await run.FinishAsync());
            foreach (var line in run.Log) Console.WriteLine("fault: " + line);
        }

        Console.WriteLine($"fault: seed {seed}, {iterations} iterations, {problems.Count} problems");
        Assert.True(problems.Count == 0, $"seed {seed}: {problems.Count} problems in {iterations} iterations:\n" + string.Join('\n', problems.Take(40)));
    }
}
