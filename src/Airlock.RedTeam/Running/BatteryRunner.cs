using System.Diagnostics;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Running;

/// <summary>
/// Runs the cases one after another on each tier (one at a time: a case's host evidence must be its own), each
/// bounded by <see cref="BatteryOptions.CaseTimeout"/> and cleaned up whatever happens, while the prober
/// measures the daemon. A case that throws is inconclusive with the error as evidence — never contained.
/// </summary>
internal sealed class BatteryRunner(BatteryEnvironment environment)
{
    public async Task<BatteryReport> RunAsync(IReadOnlyList<string> tiers, IReadOnlyList<IAttackCase> cases, Action<CaseResult>? progress, CancellationToken cancellationToken)
    {
        var prober = new LatencyProber(environment.Admin);
        var idle = await prober.MeasureAsync(TimeSpan.FromSeconds(5), cancellationToken);
        using var stopProbe = new CancellationTokenSource();
        var underAttack = prober.RunUntilAsync(stopProbe.Token);
        var results = new List<CaseResult>();
        try
        {
            foreach (var tier in tiers)
            {
                foreach (var attack in cases)
                {
                    var result = await RunOneAsync(tier, attack, cancellationToken);
                    results.Add(result);
                    progress?.Invoke(result);
                }
            }
        }
        finally
        {
            await stopProbe.CancelAsync();
        }

        return new BatteryReport { Cases = results, Idle = idle, UnderAttack = await underAttack };
    }

    private async Task<CaseResult> RunOneAsync(string tier, IAttackCase attack, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Judgement judgement;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(environment.Options.CaseTimeout);
        await using (var context = new CaseContext(environment, tier))
        {
            try
            {
                judgement = await attack.RunAsync(context, bound.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                judgement = Judgement.Inconclusive($"the case did not finish within {environment.Options.CaseTimeout.TotalSeconds:0}s");
            }
            catch (Exception e) when (e is AirlockException or IOException or HttpRequestException or InvalidOperationException or UnauthorizedAccessException)
            {
                judgement = Judgement.Inconclusive($"the case failed to run: {e.Message}");
            }
        }

        return new CaseResult
        {
            Tier = tier,
            Category = attack.Category,
            Name = attack.Name,
            Verdict = judgement.Verdict,
            Evidence = judgement.Evidence,
            Duration = clock.Elapsed,
        };
    }
}
