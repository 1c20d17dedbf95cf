using Airlock.Core.Policy;

namespace Airlock.Core.Tests.Policy;

public sealed class AnomalyConditionTests
{
    [Fact]
    public void Parse_AGaugeHeldForADuration()
    {
        Assert.True(AnomalyConditionParser.TryParse("cpu_percent >= 95 for 5m", out var condition, out _));
        Assert.Equal("cpu_percent", condition!.Counter);
        Assert.Equal(TimeSpan.FromMinutes(5), condition.Sustained);
        Assert.Null(condition.Window);
        Assert.True(condition.IsMetBy(95));
        Assert.False(condition.IsMetBy(94.9));
    }

    [Theory]
    [InlineData("cpu_percent > 90 in 1m", "'cpu_percent' is a gauge, sampled over time: write 'for <duration>'")]
    [InlineData("exec_rate > 90 for 1m", "'exec_rate' counts events: write 'in <duration>'")]
    [InlineData("files_deleted > 3", "'files_deleted' is not something Airlock measures; counters: exec_rate,")]
    public void Parse_RefusesARuleThatCouldNeverFire(string text, string message)
    {
        Assert.False(AnomalyConditionParser.TryParse(text, out var condition, out var error));
        Assert.Null(condition);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }
}
