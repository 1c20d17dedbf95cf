using System.Globalization;
using System.Text.RegularExpressions;
using Airlock.Core.Anomalies;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>
/// Parses an anomaly's <c>when</c>: <c>&lt;counter&gt; &lt;op&gt; &lt;number&gt; [in &lt;duration&gt;]</c>, e.g. <c>egress_denied &gt; 20 in 1m</c>,
/// or <c>&lt;gauge&gt; &lt;op&gt; &lt;number&gt; [for &lt;duration&gt;]</c>, e.g. <c>cpu_percent &gt;= 95 for 5m</c>. Names are checked against what
/// Airlock measures: a rule on a name nothing counts would never fire, and a security rule is never silently ignored.
/// </summary>
internal static partial class AnomalyConditionParser
{
    private const string Usage = "use '<counter> <op> <number> in <duration>', e.g. 'egress_denied > 20 in 1m', or '<gauge> <op> <number> for <duration>', e.g. 'cpu_percent >= 95 for 5m' (op: >, >=, <, <=, ==)";

    public static bool TryParse(string text, out AnomalyCondition? condition, out string? error)
    {
        condition = null;
        var match = Condition().Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not a condition; {Usage}";
            return false;
        }

        var name = match.Groups["counter"].Value;
        var isGauge = AnomalyGauges.All.Contains(name);
        if (!isGauge && !AnomalyCounters.All.Contains(name))
        {
            error = $"'{name}' is not something Airlock measures; counters: {string.Join(", ", AnomalyCounters.All)}; gauges: {string.Join(", ", AnomalyGauges.All)}";
            return false;
        }

        TimeSpan? duration = null;
        if (match.Groups["window"].Success)
        {
            if (!Units.TryParseDuration(match.Groups["window"].Value, out var parsed, out error)) return false;
            duration = parsed;
        }

        var mode = match.Groups["mode"].Value;
        if (isGauge && mode == "in" || !isGauge && mode == "for")
        {
            error = isGauge
                ? $"'{name}' is a gauge, sampled over time: write 'for <duration>' (held that long), e.g. '{name} >= 95 for 5m'"
                : $"'{name}' counts events: write 'in <duration>' (a sliding window), e.g. '{name} > 20 in 1m'";
            return false;
        }

        condition = new AnomalyCondition
        {
            Text = text,
            Counter = name,
            Operator = match.Groups["op"].Value,
            Threshold = double.Parse(match.Groups["threshold"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
            Window = isGauge ? null : duration,
            Sustained = isGauge ? duration : null,
        };
        error = null;
        return true;
    }

    [GeneratedRegex(@"^\s*(?<counter>[a-z][a-z0-9_]*)\s*(?<op>>=|<=|==|>|<)\s*(?<threshold>[0-9]+(?:\.[0-9]+)?)(?:\s+(?<mode>in|for)\s+(?<window>\S+))?\s*\z")]
    private static partial Regex Condition();
}
