using System.Globalization;
using System.Text.RegularExpressions;
using Airlock.Policy;

namespace Airlock.Core.Policy;

/// <summary>Parses an anomaly's <c>when</c>: <c>&lt;counter&gt; &lt;op&gt; &lt;number&gt; [in &lt;duration&gt;]</c>, e.g. <c>egress_denied &gt; 20 in 1m</c>.</summary>
internal static partial class AnomalyConditionParser
{
    private const string Usage = "use '<counter> <op> <number> in <duration>', e.g. 'egress_denied > 20 in 1m' (op: >, >=, <, <=, ==)";

    public static bool TryParse(string text, out AnomalyCondition? condition, out string? error)
    {
        condition = null;
        var match = Condition().Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not a condition; {Usage}";
            return false;
        }

        TimeSpan? window = null;
        if (match.Groups["window"].Success)
        {
            if (!Units.TryParseDuration(match.Groups["window"].Value, out var duration, out error)) return false;
            window = duration;
        }

        condition = new AnomalyCondition
        {
            Text = text,
            Counter = match.Groups["counter"].Value,
            Operator = match.Groups["op"].Value,
            Threshold = double.Parse(match.Groups["threshold"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
            Window = window,
        };
        error = null;
        return true;
    }

    [GeneratedRegex(@"^\s*(?<counter>[a-z][a-z0-9_]*)\s*(?<op>>=|<=|==|>|<)\s*(?<threshold>[0-9]+(?:\.[0-9]+)?)(?:\s+in\s+(?<window>\S+))?\s*\z")]
    private static partial Regex Condition();
}
